"""pytest setup for the notebooks, which nbval runs in separate kernels.

On a fresh machine matplotlib builds its font cache on first import, and if
that is slow it says so on stderr: in a notebook, an extra output that would
fail nbval's comparison. Building the cache here, before any kernel starts,
keeps that message out of the notebooks.
"""

import matplotlib.font_manager  # noqa: F401  (builds the cache on import)
