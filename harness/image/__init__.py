"""Guest root filesystem and container images, built with mmdebstrap and cached."""
