#!/usr/bin/env bash
# Create the class's system accounts, as root, each with a private home (mode 0700: Debian's
# default would let every student read every other student's work):
#
#   sudo hub/add_users.sh NAME...
#
# A name that already has an account is left as it is. Names must be valid user names for the
# hub too: 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter or '_'.
set -euo pipefail
status=0
for name in "$@"; do
    if ! [[ $name =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then
        echo "hub/add_users.sh: $name is not a valid user name: expected 1 to 32 lowercase letters," \
            "digits, '_' or '-', starting with a letter or '_'" >&2
        status=1
    elif id "$name" >/dev/null 2>&1; then
        echo "$name already has an account; left as it is"
    else
        useradd --create-home --shell /bin/bash -K HOME_MODE=0700 "$name"
        echo "created $name"
    fi
done
exit $status
