#!/usr/bin/env bash
# Writes the build's provenance as a properties file (the jobs module runs it at
# generate-resources; RunLifecycle.codeVersion() reads it at run time):
#
#   tools/build-info.sh ROOT OUT VERSION
#
#   version=0.1.0-SNAPSHOT
#   commit=1a2b3c4        (git rev-parse --short HEAD of ROOT's work tree, or "unknown")
#   dirty=true            (git status --porcelain of that work tree is not empty, or "unknown")
#
# Native git, not a Maven plugin: git-commit-id-maven-plugin 9.x (the last for Maven 3.8)
# reports the main work tree's commit inside a linked `git worktree`. Never fails the build:
# without git, or when ROOT is not the top of a git work tree (a source tarball, perhaps
# unpacked inside another repository), the commit is "unknown".
set -uo pipefail
ROOT="${1:?usage: build-info.sh ROOT OUT VERSION}"
OUT="${2:?usage: build-info.sh ROOT OUT VERSION}"
VERSION="${3:?usage: build-info.sh ROOT OUT VERSION}"

commit=unknown
dirty=unknown
root="$(cd "$ROOT" && pwd -P)"
if command -v git >/dev/null 2>&1; then
  top="$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)"
  # a tarball unpacked inside another repository must not take that repository's commit
  if [[ -n "$top" && "$(cd "$top" && pwd -P)" == "$root" ]]; then
    if c="$(git -C "$root" rev-parse --short HEAD 2>/dev/null)" && [[ -n "$c" ]]; then
      commit="$c"
      # untracked files count: a new source file changes what was built
      if s="$(git -C "$root" status --porcelain 2>/dev/null)"; then
        [[ -n "$s" ]] && dirty=true || dirty=false
      fi
    fi
  fi
fi
if [[ "$commit" == unknown ]]; then
  echo "build-info.sh: no git commit for $root (not a git work tree, or no git); code" \
    "version $VERSION+unknown" >&2
fi

mkdir -p "$(dirname "$OUT")"
tmp="$OUT.$$.tmp"
printf 'version=%s\ncommit=%s\ndirty=%s\n' "$VERSION" "$commit" "$dirty" > "$tmp"
# left untouched when unchanged: a newer file would repackage the jar, and bin/zoobench then
# rebuilds its class-data archives
if cmp -s "$tmp" "$OUT"; then
  rm -f "$tmp"
else
  mv -f "$tmp" "$OUT"
fi
