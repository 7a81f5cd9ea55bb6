"""`thrifty watch`: the live view of every active session, refreshed as transcripts change: `views` builds it from
the ledger (`models`), `loop` follows the transcripts, `render` draws it with rich."""
