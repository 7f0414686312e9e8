# dockopt base: Debian bookworm + Debian's Python 3.11 with venv and pip, built from Debian
# packages only (no registry). Stands in for python:3.11-slim on machines that cannot pull.
ARG ROOTFS=dockopt/debian:bookworm-minbase
FROM ${ROOTFS}
# Extra CA certificates of the build host (a TLS-intercepting proxy's, if any), so that pip and
# apt over https work inside builds. Public certificates only: nothing secret is baked in.
COPY certs/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 python3-venv python3-pip python-is-python3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && update-ca-certificates \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
 && printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > /etc/pip.conf
ENV LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
