"""The `anthropic` SDK client for the batch lane, and API failures as messages that say what to do.

The key comes from ANTHROPIC_API_KEY only: batches are billed to an API organisation, and a Claude subscription
login (Pro/Max, `claude /login`) cannot pay for them. ANTHROPIC_BASE_URL is honoured as the SDK honours it.
"""

from __future__ import annotations

import os

import anthropic

from thrifty.batch.errors import BatchError

SAFE_RETRIES = 4  # for calls that change nothing (retrieve, list, results, count, cancel): the SDK's own backoff
NO_KEY = ("ANTHROPIC_API_KEY is not set. The Message Batches API is paid per token from an API key "
          "(console.anthropic.com > API keys); a Claude subscription login (Pro/Max, `claude /login`) cannot pay "
          "for batches. Export the key and run again.")


def has_key() -> bool:
    return bool(os.environ.get("ANTHROPIC_API_KEY", "").strip())


def make_client() -> anthropic.Anthropic:
    """A client for the API at ANTHROPIC_BASE_URL (default: Anthropic's).

    Raises:
        BatchError: ANTHROPIC_API_KEY is not set.
    """
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if not key:
        raise BatchError(NO_KEY)
    return anthropic.Anthropic(api_key=key, max_retries=SAFE_RETRIES)


def describe(exc: anthropic.AnthropicError, doing: str) -> str:
    """One sentence for a failed call: what was being done, what the API said and what to do about it."""
    if isinstance(exc, anthropic.AuthenticationError):
        return (f"{doing}: the API refused the key in ANTHROPIC_API_KEY (401): check it; a Claude subscription "
                "login cannot pay for batches")
    if isinstance(exc, anthropic.PermissionDeniedError):
        return f"{doing}: the key may not do this (403): {_message(exc)}"
    if isinstance(exc, anthropic.NotFoundError):
        return f"{doing}: not found (404): {_message(exc)}"
    if isinstance(exc, anthropic.RateLimitError):
        return f"{doing}: still rate limited (429) after retries with backoff: {_message(exc)}"
    if isinstance(exc, anthropic.APIStatusError):
        return f"{doing}: the API answered {exc.status_code}: {_message(exc)}"
    if isinstance(exc, anthropic.APITimeoutError):
        return f"{doing}: the API did not answer in time"
    if isinstance(exc, anthropic.APIConnectionError):
        return f"{doing}: cannot reach the API ({os.environ.get('ANTHROPIC_BASE_URL') or 'api.anthropic.com'})"
    return f"{doing}: {exc}"


def _message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return exc.message
