"""A batch job file: TOML, checked strictly (an unknown key is an error, with the nearest known key suggested)."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from thrifty.batch.errors import BatchError
from thrifty.batch.models import DEFAULT_MODEL
from thrifty.textout import MAX_MAX_TOKENS, MIN_MAX_TOKENS

MAX_REQUESTS_PER_BATCH = 100_000  # the API's limit per Message Batch (with 256 MB, see submit.MAX_BATCH_BYTES)


class JobSpec(BaseModel):
    """What a job file may say. `prompt` placeholders: {item}, {path} (glob items), {field} (a JSONL field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(DEFAULT_MODEL, min_length=1, description="default: the cheapest current model")
    max_tokens: int = Field(1024, ge=1, le=128_000, description="output tokens per item, at most")
    context: list[str] = Field(default_factory=list, description="read_many items: rendered once, the cached prefix")
    context_max_tokens: int = Field(20_000, ge=MIN_MAX_TOKENS, le=MAX_MAX_TOKENS)
    prompt: str = Field(min_length=1)
    items: str | None = Field(None, min_length=1, description="a glob of project files")
    items_jsonl: str | None = Field(None, min_length=1, description="a JSONL file: one item per line")
    item_max_tokens: int = Field(4_000, ge=MIN_MAX_TOKENS, le=MAX_MAX_TOKENS)
    requests_per_batch: int = Field(MAX_REQUESTS_PER_BATCH, ge=1, le=MAX_REQUESTS_PER_BATCH)

    @model_validator(mode="after")
    def _one_source_of_items(self) -> JobSpec:
        if (self.items is None) == (self.items_jsonl is None):
            raise ValueError("give exactly one of `items` (a glob of project files) or `items_jsonl` (a JSONL file)")
        return self


class Job:
    """A loaded job: its spec, its file and the name commands know it by (the file's stem)."""

    __slots__ = ("spec", "path", "name")

    def __init__(self, spec: JobSpec, path: Path) -> None:
        self.spec, self.path, self.name = spec, path, path.stem


def load_job(path: Path) -> Job:
    """Read and check a job file.

    Raises:
        BatchError: the file is missing, not TOML, has an unknown key or a bad value.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchError(f"no job file {path}: write one as `thrifty batch --help` shows") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"cannot read the job file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BatchError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - set(JobSpec.model_fields))
    if unknown:
        raise BatchError(f"{path}: " + "; ".join(_unknown(key) for key in unknown)
                         + f". Known keys: {', '.join(JobSpec.model_fields)}")
    try:
        spec = JobSpec.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"{where}: {error['msg']}" if where else error["msg"].removeprefix("Value error, "))
        raise BatchError(f"{path}: " + "; ".join(problems)) from None
    return Job(spec, path.resolve())


def _unknown(key: str) -> str:
    near = difflib.get_close_matches(key, list(JobSpec.model_fields), n=1)
    return f"unknown key {key!r}" + (f" (did you mean {near[0]!r}?)" if near else "")
