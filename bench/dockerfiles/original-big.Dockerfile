# Bench image of at least 1 GB: dockerfiles/snsw/Dockerfile plus 400 MB written in one layer and
# deleted in the next (hidden waste of a known size). Its waste-free twin is original-clean.
ARG BASE_IMAGE=dockopt/python:3.11-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1
ENV PIP_NO_CACHE_DIR=1

# Build tools for the C extension and compiled dependencies
RUN apt-get update && apt-get install -y build-essential cmake git python3-dev
RUN rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY pyproject.toml README.md setup.py ./
COPY src/ ./src/
RUN pip install --no-cache-dir -U pip setuptools wheel && \
    pip install --no-cache-dir .

COPY . .

RUN head -c 400000000 /dev/urandom > /opt/scratch.bin
RUN rm /opt/scratch.bin

CMD ["python", "src/kaggle/run_inference.py", "--serve"]
