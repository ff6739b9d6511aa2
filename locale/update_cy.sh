#!/bin/sh
# Refresh the Welsh catalogue, locale/cy/LC_MESSAGES/django.po, keeping every translation.
#
# The catalogue holds these strings:
#   - the project's own (templates, Python, e-mails, the PDF renderer), found by makemessages;
#   - django-allauth's (sign in, sign up, e-mail, password, two-factor, sessions, and their
#     e-mails): allauth ships no Welsh, so its strings are translated here too;
#   - Django's own strings (form errors, password rules, "3 days" in "3 days ago") that
#     Django's Welsh catalogue lacks: it dates from 2019 and misses a third of them;
#   - a few Django form errors whose Welsh in Django is wrong (step 4).
# A plain `manage.py makemessages -l cy` would mark all but the first obsolete; this keeps them.
#
# Then: translate the entries left empty or marked fuzzy (see the glossary at the top of the
# .po), and compile:
#   .venv/bin/python manage.py compilemessages -l cy --ignore=.venv
#   .venv/bin/pytest -q tests/core/test_welsh.py
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
PO=locale/cy/LC_MESSAGES/django.po
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$PO" "$tmp/old.po"

# 1. The project's strings, kept as a .pot (makemessages also merges into the .po; step 3
#    redoes that merge from the copy taken above).
"$PY" manage.py makemessages -l cy --keep-pot \
    --ignore=.venv --ignore=frontend --ignore=bench --ignore=tests \
    --ignore=staticfiles --ignore=media >/dev/null
mv locale/django.pot "$tmp/project.pot"

# 2. The strings of the parts of django-allauth this project installs.
ALLAUTH=$("$PY" -c 'import allauth, os; print(os.path.dirname(allauth.__file__))')
mkdir -p "$tmp/allauth/locale" "$tmp/allauth/templates"
cp "$ALLAUTH"/*.py "$tmp/allauth/"
for app in account mfa usersessions core; do cp -R "$ALLAUTH/$app" "$tmp/allauth/"; done
for dir in account allauth mfa usersessions; do
    cp -R "$ALLAUTH/templates/$dir" "$tmp/allauth/templates/"
done
(cd "$tmp/allauth" && env -u DJANGO_SETTINGS_MODULE "$PY" -m django makemessages -l cy \
    --keep-pot --ignore=tests --ignore=__pycache__ >/dev/null)

# 3. Django's strings (core and auth) that its own Welsh catalogue does not translate.
DJANGO=$("$PY" -c 'import django, os; print(os.path.dirname(django.__file__))')
for app in conf contrib/auth; do
    src="$DJANGO/$app/locale"
    name=$(echo "$app" | tr / -)
    msgmerge -q --no-fuzzy-matching -o "$tmp/$name-merged.po" \
        "$src/cy/LC_MESSAGES/django.po" "$src/en/LC_MESSAGES/django.po"
    msgattrib --untranslated --no-obsolete -o "$tmp/$name.pot" "$tmp/$name-merged.po"
done

# 4. Django form errors whose Welsh in Django is wrong ("Rhif ddyddiad dilys", "less than"
#    translated as "more or less"), or says "ebost" where this service says "e-bost".
msggrep --msgid -F \
    -e 'Enter a valid date.' -e 'Enter a whole number.' -e 'Enter a valid email address.' \
    -e 'Ensure this value is less than or equal to %(limit_value)s.' \
    -e 'Ensure this value is greater than or equal to %(limit_value)s.' \
    -e 'Upload a valid image.' -e 'Please either submit a file or check the clear checkbox' \
    -e 'No file was submitted. Check the encoding type' \
    -e 'Select a valid choice. That choice is not one of the available choices.' \
    -o "$tmp/overrides.pot" "$DJANGO/conf/locale/en/LC_MESSAGES/django.po"

# 5. All of them, merged into the existing translations; strings no longer used are dropped.
msgcat --use-first -o "$tmp/all.pot" "$tmp/project.pot" "$tmp/allauth/locale/django.pot" \
    "$tmp/conf.pot" "$tmp/contrib-auth.pot" "$tmp/overrides.pot"
msgmerge -q --previous -o "$tmp/new.po" "$tmp/old.po" "$tmp/all.pot"
msgattrib --no-obsolete -o "$PO" "$tmp/new.po"

msgfmt --statistics -o /dev/null "$PO"   # what is left to translate
