"""JupyterHub for this course on one machine: ``jupyterhub -f jupyterhub_config.py``.

Every user is a system account on the machine, and their JupyterLab runs as them
(LocalProcessSpawner), from the virtual environment ``hub/install.sh`` made. nbgrader's exchange
(release, fetch, submit, collect, feedback) is a shared folder on the same machine. Instructors get
formgrader and the course list; students get the Assignments tab and nothing that grades.

Everything a school changes is an environment variable, read once here:

===========================  =========================================================================
``NN_COURSE_PREFIX``         where ``hub/install.sh`` installed (default ``/opt/nn-course``)
``NN_COURSE_ID``             nbgrader's course id (default ``nn-course``)
``NN_COURSE_INSTRUCTORS``    instructors' user names, separated by commas or spaces
``NN_COURSE_STUDENTS``       students' user names, the same way (or ``NN_COURSE_ROSTER``: a file with
                             one ``instructor NAME`` or ``student NAME`` a line)
``NN_COURSE_AUTH``           ``pam`` (default: the machine's own passwords), ``lti`` (the school's LMS,
                             LTI 1.3) or ``shared-password`` (tests and a first try only)
``NN_COURSE_HUB_URL``        the address the hub listens on (default ``http://127.0.0.1:8000``; behind
                             a TLS-terminating web server, or set ``JupyterHub.ssl_cert``/``ssl_key``)
===========================  =========================================================================

For LTI also set ``NN_COURSE_LTI_ISSUER``, ``NN_COURSE_LTI_CLIENT_ID``,
``NN_COURSE_LTI_AUTHORIZE_URL`` and ``NN_COURSE_LTI_JWKS_URL`` (from the LMS's tool registration).
"""

import os
import re
import shlex

from tornado import web

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

PREFIX = os.environ.get("NN_COURSE_PREFIX", "/opt/nn-course")
VENV_BIN = os.path.join(PREFIX, "venv", "bin")
ROLES = os.path.join(PREFIX, "etc", "roles")
COURSE_ID = os.environ.get("NN_COURSE_ID", "nn-course")

# A system account's name: JupyterHub lower-cases what people type, and a name outside this
# pattern could not be a user on the machine, so it is refused at the door with a reason.
USERNAME_PATTERN = r"[a-z_][a-z0-9_-]{0,31}"
USERNAME_RULE = (
    "a user name here is 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter "
    "or '_' (the name of your account on this machine)"
)


def names(text):
    return {name for name in re.split(r"[,\s]+", text or "") if name}


def read_roster():
    instructors = names(os.environ.get("NN_COURSE_INSTRUCTORS"))
    students = names(os.environ.get("NN_COURSE_STUDENTS"))
    roster = os.environ.get("NN_COURSE_ROSTER")
    if roster:
        with open(roster, encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                words = line.split("#", 1)[0].split()
                if not words:
                    continue
                if len(words) != 2 or words[0] not in ("instructor", "student"):
                    raise ValueError(
                        f"{roster}, line {number}: expected 'instructor NAME' or 'student NAME', "
                        f"got {line.strip()!r}"
                    )
                (instructors if words[0] == "instructor" else students).add(words[1])
    for name in instructors | students:
        if not re.fullmatch(USERNAME_PATTERN, name):
            raise ValueError(f"roster name {name!r} is not a valid user name: {USERNAME_RULE}")
    if instructors & students:
        raise ValueError(f"these names are both instructor and student: {sorted(instructors & students)}")
    return instructors, students


INSTRUCTORS, STUDENTS = read_roster()

# --- The hub and its proxy -------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("NN_COURSE_HUB_URL", "http://127.0.0.1:8000")
# configurable-http-proxy, installed by hub/install.sh with npm beside the hub's own programs.
c.ConfigurableHTTPProxy.command = [os.path.join(VENV_BIN, "configurable-http-proxy")]
c.JupyterHub.data_files_path = os.path.join(PREFIX, "venv", "share", "jupyterhub")
state = os.environ.get("NN_COURSE_STATE", os.path.join(PREFIX, "state"))
os.makedirs(state, mode=0o700, exist_ok=True)
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")

# --- Who may log in, and how -----------------------------------------------------------------------
AUTH = os.environ.get("NN_COURSE_AUTH", "pam")
if AUTH == "pam":
    from jupyterhub.auth import PAMAuthenticator as BaseAuthenticator
elif AUTH == "lti":
    from ltiauthenticator.lti13.auth import LTI13Authenticator as BaseAuthenticator

    c.LTI13Authenticator.issuer = os.environ["NN_COURSE_LTI_ISSUER"]
    c.LTI13Authenticator.client_id = [os.environ["NN_COURSE_LTI_CLIENT_ID"]]
    c.LTI13Authenticator.authorize_url = os.environ["NN_COURSE_LTI_AUTHORIZE_URL"]
    c.LTI13Authenticator.jwks_endpoint = os.environ["NN_COURSE_LTI_JWKS_URL"]
    # The LMS's login name, which must be the student's account on this machine.
    c.LTI13Authenticator.username_key = "preferred_username"
elif AUTH == "shared-password":
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator as BaseAuthenticator

    c.SharedPasswordAuthenticator.user_password = os.environ["NN_COURSE_SHARED_PASSWORD"]
else:
    raise ValueError(f"NN_COURSE_AUTH={AUTH!r}: expected 'pam', 'lti' or 'shared-password'")


class CourseAuthenticator(BaseAuthenticator):
    """The chosen authenticator, refusing a user name that cannot be an account with a reason."""

    def validate_username(self, username):
        if not re.fullmatch(USERNAME_PATTERN, username):
            raise web.HTTPError(403, f"{username!r} cannot log in: {USERNAME_RULE}.")
        return super().validate_username(username)


c.JupyterHub.authenticator_class = CourseAuthenticator
c.Authenticator.allowed_users = INSTRUCTORS | STUDENTS
c.Authenticator.admin_users = set()  # instructors get what they need below, not the whole hub

# --- Roles -----------------------------------------------------------------------------------------
c.JupyterHub.load_groups = {
    "instructors": {"users": sorted(INSTRUCTORS)},
    "students": {"users": sorted(STUDENTS)},
}
c.JupyterHub.load_roles = [
    {
        # Instructors see who is in the class and can start or stop a student's server (to help
        # with a stuck kernel), but cannot open a student's files through the hub.
        "name": "course-instructor",
        "groups": ["instructors"],
        "scopes": ["admin-ui", "list:users", "read:users", "servers!group=students"],
    },
]

# --- Every user's server ---------------------------------------------------------------------------
c.Spawner.cmd = [os.path.join(VENV_BIN, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 30
c.Spawner.environment = {
    "PATH": os.pathsep.join([VENV_BIN, "/usr/local/bin", "/usr/bin", "/bin"]),
    "NN_COURSE_ID": COURSE_ID,
    "NN_COURSE_EXCHANGE": os.path.join(PREFIX, "exchange"),
    # nbgitpuller clones the published course, owned by root: git refuses another user's
    # repository unless it is named safe in the system configuration this file points to.
    "GIT_CONFIG_SYSTEM": os.environ.get("NN_COURSE_GITCONFIG", os.path.join(PREFIX, "etc", "gitconfig")),
}
# Local processes get no enforced limits from JupyterHub; per-student memory and CPU limits are
# enforced on Kubernetes (see hub/z2jh-values.yaml). These are shown to the user's server.
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 1.0


def choose_role(spawner):
    """Give the server its role's Jupyter settings: the first folders on Jupyter's config path."""
    name = spawner.user.name
    role = "instructor" if name in INSTRUCTORS else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [os.path.join(ROLES, role), os.path.join(ROLES, "common")]
    )
    spawner.log.info("starting %s's server as %s: %s", name, role, shlex.join(spawner.cmd))


c.Spawner.pre_spawn_hook = choose_role
