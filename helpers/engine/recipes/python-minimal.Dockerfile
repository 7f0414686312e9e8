# dockopt minimal runtime base: Debian bookworm + the Python 3.11 interpreter and standard
# library only (no pip, no venv tooling, no compilers, no docs/man pages/locales). A
# virtualenv built on the full dockopt python base runs on it (same interpreter path).
ARG ROOTFS=dockopt/debian:bookworm-minbase
FROM ${ROOTFS}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /usr/share/doc/* /usr/share/man/* \
           /usr/share/info/* /usr/share/locale/* /var/cache/debconf/*-old /var/lib/dpkg/*-old
ENV LANG=C.UTF-8
CMD ["python3"]
