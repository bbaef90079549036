"""One directory per run: manifest, per-step logs, console logs, measured values."""
