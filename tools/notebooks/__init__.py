"""Store course notebooks exactly as the course's JupyterLab saves them.

A notebook opened in JupyterLab and saved unchanged must come back byte for byte, so that opening a
lecture (and autosave) leaves ``git status`` clean and a student's copy never diverges from the
course by accident. nbconvert does the work that tools exist for (executing in a fresh kernel,
clearing cell metadata, writing nbformat's JSON); :mod:`tools.notebooks.jupyterlab_format` adds
the few things only JupyterLab decides.
"""

from tools.notebooks.normalize import normalize, normalized_text

__all__ = ["normalize", "normalized_text"]
