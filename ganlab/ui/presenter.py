"""Presenter mode: the Train tab for a projector, driven from the keyboard.

One checkbox adds the ``ganlab-presenter`` class to the page (plain CSS does the
rest: the settings form, lessons and downloads hide, the views and captions grow),
and while it is on the keyboard drives the run: space pauses or resumes (a hidden button whose
handler decides which, so presses count in order however fast they come), → shows
the next slow-motion sub-step (after the last one it takes another iteration).
Keys typed into a text field are left alone.
"""

from __future__ import annotations

PRESENTER_CLASS = "ganlab-presenter"
HIDE_CLASS = "ganlab-hide-presenting"  # elem_classes of what a projector does not need
OFFSCREEN_CLASS = "ganlab-offscreen"  # in the page for the keyboard to click, never shown
TOGGLE_ID = "ganlab-toggle-btn"  # pause if running, else resume: decided on the server, press by press

CSS = f"""
body.{PRESENTER_CLASS} .{HIDE_CLASS} {{ display: none !important; }}
.{OFFSCREEN_CLASS} {{ display: none !important; }}
body.{PRESENTER_CLASS} #ganlab-controls-column {{ min-width: 220px !important; max-width: 300px; }}
body.{PRESENTER_CLASS} .gradio-container {{ font-size: 21px; }}
body.{PRESENTER_CLASS} #ganlab-slow-caption, body.{PRESENTER_CLASS} #ganlab-main-text {{ font-size: 1.3em; }}
body.{PRESENTER_CLASS} #ganlab-main-view, body.{PRESENTER_CLASS} #ganlab-slow-view {{ min-height: 68vh; }}
"""

# the toggle also lets go of the checkbox's focus, so the next space bar drives the run, not the box
TOGGLE_JS = (
    f"(on) => {{ document.body.classList.toggle('{PRESENTER_CLASS}', !!on); "
    "if (document.activeElement) document.activeElement.blur(); return []; }"
)

# run once on page load (launch(js=...)): the keyboard shortcuts, active in presenter mode only
KEYBOARD_JS = f"""
() => {{
  const visible = (id) => {{
    const el = document.getElementById(id);
    return el && el.checkVisibility && el.checkVisibility() ? el : null;
  }};
  document.addEventListener('keydown', (e) => {{
    if (!document.body.classList.contains('{PRESENTER_CLASS}')) return;
    const tag = (e.target && e.target.tagName) || '';
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || (e.target && e.target.isContentEditable)) return;
    if (e.key === ' ' || e.code === 'Space') {{
      const button = document.getElementById('{TOGGLE_ID}');
      if (button) {{ e.preventDefault(); button.click(); }}
    }} else if (e.key === 'ArrowRight') {{
      const button = visible('ganlab-next-btn');
      if (button) {{ e.preventDefault(); button.click(); }}
    }}
  }});
}}
"""
