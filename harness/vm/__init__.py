"""QEMU guests with a software TPM: command builders, accelerator probe, lifecycle."""
