from thrifty.entry import main

main()
