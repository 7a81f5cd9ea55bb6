"""Thresholds the steering hints and the waste report share (standard library only)."""

RUN_LENGTH = 3  # consecutive single Read/Grep turns (calls, for the hook) that make a run
WHOLE_MAX_LINES = 400  # read_many's whole-file limits (thrifty.read.files): above either it answers with an outline
WHOLE_MAX_BYTES = 24 * 1024
NOISY_CHECK_CHARS = 8 * 1024  # a check's Bash output above this is noisy
REPEAT_WINDOW = "1 hour"  # a re-read of a file another agent or session read this recently
