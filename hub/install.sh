#!/usr/bin/env bash
# Install the course's JupyterHub on one machine, as root:
#
#   sudo hub/install.sh [PREFIX]          # PREFIX defaults to /opt/nn-course
#
# It makes PREFIX/venv (from the system's /usr/bin/python3, which every user can run; a Python
# under root's home is not) with JupyterHub, nbgrader, nbgitpuller and the course; installs
# configurable-http-proxy with npm into PREFIX/node; creates nbgrader's exchange PREFIX/exchange
# (mode 1777, as nbgrader documents: everyone may add, only owners may remove); and copies the
# hub's configuration and the per-role Jupyter settings to PREFIX/etc. Running it again updates.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-/opt/nn-course}
python=${NN_COURSE_PYTHON:-/usr/bin/python3}

if [ "$(id -u)" != 0 ]; then
    echo "hub/install.sh: run as root (it installs into $prefix and spawns servers as other users)" >&2
    exit 1
fi
for tool in "$python" npm git; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "hub/install.sh: $tool is missing (Debian: apt-get install python3-venv nodejs npm git)" >&2
        exit 1
    fi
done

mkdir -p "$prefix"
chmod 755 "$prefix"
if [ ! -x "$prefix/venv/bin/python" ]; then
    "$python" -m venv "$prefix/venv"
fi
"$prefix/venv/bin/python" -m pip install -q --upgrade pip
"$prefix/venv/bin/python" -m pip install -q -r "$repo/requirements-hub.txt"
# jsonschema imports rfc3987-syntax when present, which builds ~35 parsers at import: seconds of
# every server's start, for a URI format no Jupyter schema uses. jsonschema works without it.
"$prefix/venv/bin/python" -m pip uninstall -q -y rfc3987-syntax
# A copy of the course's library, not a link to this checkout.
"$prefix/venv/bin/python" -m pip install -q --no-deps --force-reinstall "$repo"

mkdir -p "$prefix/node"
npm install --silent --prefix "$prefix/node" configurable-http-proxy@5
ln -sf "$prefix/node/node_modules/.bin/configurable-http-proxy" "$prefix/venv/bin/configurable-http-proxy"

mkdir -p "$prefix/exchange"
chmod 1777 "$prefix/exchange"

rm -rf "$prefix/etc"
mkdir -p "$prefix/etc"
cp "$repo/hub/jupyterhub_config.py" "$prefix/etc/"
cp -r "$repo/hub/roles" "$prefix/etc/roles"
# The course's JupyterLab settings for every user's server (widget state saved with a notebook, so
# a lecture run and saved reopens with its pictures; Markdown opened rendered).
mkdir -p "$prefix/venv/share/jupyter/lab/settings"
cp "$repo/jupyter/settings/overrides.json" "$prefix/venv/share/jupyter/lab/settings/overrides.json"
# Users' servers clone the published course, which root owns; git needs it named safe.
printf '[safe]\n\tdirectory = %s\n' "$prefix/course.git" > "$prefix/etc/gitconfig"
chmod -R a+rX "$prefix/etc" "$prefix/venv" "$prefix/node"
"$repo/hub/publish.sh" "$prefix/course.git" "Course as installed"
echo "installed the course hub in $prefix; start it with: $prefix/venv/bin/jupyterhub -f $prefix/etc/jupyterhub_config.py"
