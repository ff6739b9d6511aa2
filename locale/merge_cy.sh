#!/bin/sh
# Resolve a merge or rebase conflict in the Welsh catalogue by keeping the translations of
# both sides, then refreshing it against the code and compiling it:
#   locale/merge_cy.sh        (while git reports locale/cy/LC_MESSAGES/django.po conflicted)
set -eu
cd "$(dirname "$0")/.."
PO=locale/cy/LC_MESSAGES/django.po
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git show ":2:$PO" > "$tmp/ours.po"
git show ":3:$PO" > "$tmp/theirs.po"
msgcat --use-first -o "$PO" "$tmp/ours.po" "$tmp/theirs.po"
sh locale/update_cy.sh
.venv/bin/python manage.py compilemessages -l cy --ignore=.venv >/dev/null
git add "$PO" locale/cy/LC_MESSAGES/django.mo
echo "Merged $PO; check for fuzzy or empty entries (msgfmt --statistics above)."
