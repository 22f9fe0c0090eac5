#!/usr/bin/env bash
# Publish the students' part of the course (lectures and exercises, never solutions) as a new
# commit of a git repository that nbgitpuller links pull from:
#
#   hub/publish.sh [REPOSITORY] ["what changed"]   # default /opt/nn-course/course.git
#
# REPOSITORY is a bare repository, created when missing and made readable by everyone on the
# machine. It publishes this checkout, or the course folder NN_COURSE_SOURCE names. A school that
# keeps the course on a git host can instead push the same folders to a repository there and use
# its address in the links (see README, "Run the course for a class").
set -euo pipefail
repo=${NN_COURSE_SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}
bare=${1:-/opt/nn-course/course.git}
message=${2:-"Course update"}

if [ ! -d "$bare" ]; then
    git init -q --bare --initial-branch=main "$bare"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$bare" "$work/course" 2>/dev/null
mirror() {  # mirror one folder: what the course deleted disappears from the published copy
    rm -rf "${work:?}/course/$1"
    cp -r "$repo/$1" "$work/course/$1"
}
mirror lectures
mirror exercises
cat > "$work/course/README.md" <<'TEXT'
# Neural Networks, Optimization and Backpropagation

Lectures (`lectures/`) and exercises (`exercises/`). Open a lecture and run it top to bottom;
hand exercises in from the Assignments tab (fetch, work, submit). Your changes are kept when the
course is updated: a changed file is merged, and one that conflicts keeps your version.
TEXT
cd "$work/course"
git add -A
if git diff --cached --quiet; then
    echo "hub/publish.sh: nothing new to publish"
else
    git -c user.name="Course" -c user.email="course@localhost" commit -q -m "$message"
    git push -q origin HEAD:main
    echo "published $(git rev-parse --short HEAD) to $bare"
fi
chmod -R a+rX "$bare"
