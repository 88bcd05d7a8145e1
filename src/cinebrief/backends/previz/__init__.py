"""previz: the embedded animatic backend (a timing and composition preview of a shot, fast, on CPU).

Modules, top to bottom: `backend` (the interface), `plan` (what to show and when), `camera` (moves),
`scene`, `canvas`, `set_pieces` and `plate` (the picture), `overlays` (text and graphics), `sound`
(speech and beds), `render` (the threaded frame loop), `colours` (the colour vocabulary).
"""

from cinebrief.backends.previz.backend import PrevizBackend

__all__ = ["PrevizBackend"]
