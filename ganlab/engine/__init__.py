"""What every family shares and no family owns: stepping in chunks with rollback (``runner``),
the background thread (``background``, ``job``), checkpoint files and run state (``checkpoints``,
``state``), optimizers, devices and config validation helpers."""
