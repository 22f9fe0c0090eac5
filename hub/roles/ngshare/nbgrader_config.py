"""nbgrader's exchange through ngshare, for servers on Kubernetes (see ``hub/z2jh-values.yaml``).

There every user runs as the same uid, so a shared exchange folder could not keep one student's
submission from another; ngshare, a JupyterHub service, checks who asks instead.
"""

import os

from ngshare_exchange import configureExchange

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

configureExchange(c, os.environ.get("NN_COURSE_NGSHARE_URL", "http://proxy-public/services/ngshare"))
