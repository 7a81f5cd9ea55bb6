#!/usr/bin/env bash
# Validate the plugin with real Claude Code (pinned), offline: the manifests, hooks, skills, agents and commands,
# with warnings as errors, plus the plugin directory's submission checks. Skips (exit 0) when npm is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.1.330
claude=.tools/node_modules/.bin/claude

if ! "$claude" --version 2>/dev/null | grep -q "^$VERSION "; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "validate_plugin: npm not found; skipping validation with Claude Code $VERSION"
    exit 0
  fi
  # Pinned: an unpinned install resolves an old release here. The postinstall links the native binary into
  # bin/claude.exe, so optional dependencies must not be omitted.
  npm install --prefix .tools --no-fund --no-audit --loglevel=error "@anthropic-ai/claude-code@$VERSION"
fi

# A scratch home: no user settings, plugins or credentials leak in, and nothing is written to the real one.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch" DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
unset CLAUDE_CONFIG_DIR

echo "validate_plugin: $("$claude" --version)"
"$claude" plugin validate . --strict --profile directory
# A plugin-wide run has missed a broken SKILL.md before; the skills folder on its own checks each file.
"$claude" plugin validate skills --strict
echo "validate_plugin: ok"
