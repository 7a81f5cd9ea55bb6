"""The batch lane: bulk, non-urgent work through the Message Batches API at half price.

A job (a TOML file, `job`) renders a shared context once and one prompt per item (`render`); `plan` counts and
prices it; `submit` sends it through the official `anthropic` SDK, recording every step in the ledger first
(`store`); `results` reads what came back into files and the ledger's `turns` (`usage`).
"""
