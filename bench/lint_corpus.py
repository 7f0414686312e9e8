"""A folder of 60 real-shaped Dockerfiles (with their build contexts) for bench/lint_speed.py.

Written here, not fetched: twenty shapes seen across public projects (Python with pip, uv, poetry
and conda; Node, Go, Rust, Java, Ruby, PHP, .NET; Alpine tools, static sites, ML images, C builds),
each in three variants (as first written, half-fixed, fully fixed), so the set holds both the
issues dockopt looks for and the clean forms that must not be reported. Deterministic: the same
files every run. Run: python bench/lint_corpus.py DIR
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

CONTEXT_FILES = {
    "python": {"requirements.txt": "flask>=3\nrequests\ngunicorn==22.0.0\n", "app/main.py": "print('hi')\n",
               "pyproject.toml": "[project]\nname = 'app'\nversion = '1.0'\ndependencies = ['flask>=3']\n"},
    "uv": {"pyproject.toml": "[project]\nname = 'svc'\nversion = '0.1'\ndependencies = ['fastapi']\n",
           "uv.lock": "version = 1\n", "src/svc/__init__.py": ""},
    "poetry": {"pyproject.toml": "[tool.poetry]\nname = 'x'\n[tool.poetry.dependencies]\npython = '^3.11'\n"
                                 "django = '^5.0'\n", "poetry.lock": "", "manage.py": ""},
    "conda": {"environment.yml": "name: app\ndependencies:\n  - numpy\n", "run.py": ""},
    "node": {"package.json": '{"name": "web", "scripts": {"build": "vite build"}}\n', "package-lock.json": "{}\n",
             "src/index.js": "console.log(1)\n"},
    "go": {"go.mod": "module example.com/svc\n\ngo 1.22\n", "go.sum": "", "main.go": "package main\n"},
    "rust": {"Cargo.toml": "[package]\nname = 'svc'\n", "Cargo.lock": "", "src/main.rs": "fn main() {}\n"},
    "java": {"pom.xml": "<project/>\n", "src/main/java/App.java": "class App {}\n"},
    "ruby": {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n", "Gemfile.lock": "", "config.ru": ""},
    "php": {"composer.json": "{}\n", "composer.lock": "{}\n", "public/index.php": "<?php\n"},
    "dotnet": {"App.csproj": "<Project/>\n", "Program.cs": ""},
    "c": {"Makefile": "all:\n\tcc -o app main.c\ninstall:\n\tcp app /usr/local/bin\n", "main.c": "int main(){}\n"},
    "static": {"site/index.html": "<html></html>\n", "nginx.conf": "server {}\n"},
    "ml": {"requirements.txt": "torch==2.3.0\ntransformers\n", "serve.py": "", "models/README": "weights\n"},
}

SHAPES = [
    ("python-pip", "python", """
        FROM python:3.11{slim}
        {env}
        RUN apt-get update && apt-get install -y {norec}build-essential libpq-dev{clean}
        WORKDIR /app
        {copy_first}
        RUN {mount}pip install {nocache}-r requirements.txt
        {copy_last}
        {user}
        {health}
        CMD ["gunicorn", "-b", "0.0.0.0:8000", "app.main:app"]
    """),
    ("python-multistage", "python", """
        FROM python:3.12{slim} AS builder
        RUN apt-get update && \\
            apt-get install -y {norec}gcc{clean}
        RUN python -m venv /venv
        ENV PATH=/venv/bin:$PATH
        COPY requirements.txt .
        RUN {mount}pip install {nocache}-U pip setuptools wheel && \\
            pip install {nocache}-r requirements.txt
        FROM python:3.12{slim}
        COPY --from=builder /venv /venv
        ENV PATH=/venv/bin:$PATH
        WORKDIR /app
        COPY app/ ./app/
        {user}
        {health}
        CMD ["python", "-m", "app.main"]
    """),
    ("python-uv", "uv", """
        FROM python:3.12{slim}
        COPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /bin/uv
        WORKDIR /app
        ENV UV_LINK_MODE=copy
        {copy_first_uv}
        RUN {mount_uv}uv sync --frozen --no-install-project
        {copy_last}
        RUN {mount_uv}uv sync --frozen
        {user}
        CMD ["uv", "run", "svc"]
    """),
    ("python-poetry", "poetry", """
        FROM python:3.11{slim}
        ENV POETRY_VERSION=1.8.3 POETRY_VIRTUALENVS_CREATE=false
        RUN pip install {nocache}"poetry==$POETRY_VERSION"
        WORKDIR /code
        {copy_first_poetry}
        RUN poetry install --no-interaction --no-root
        {copy_last}
        RUN poetry install --no-interaction
        {user}
        {health}
        CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
    """),
    ("python-conda", "conda", """
        FROM mambaorg/micromamba:1.5.8
        COPY --chown=$MAMBA_USER:$MAMBA_USER environment.yml /tmp/env.yml
        RUN micromamba install -y -n base -f /tmp/env.yml && \\
            micromamba clean --all --yes
        COPY . /home/app
        WORKDIR /home/app
        CMD ["python", "run.py"]
    """),
    ("node-npm", "node", """
        FROM node:20{alpine} AS build
        WORKDIR /app
        {copy_first_node}
        RUN {mount_npm}npm ci
        {copy_last}
        RUN npm run build
        FROM nginx:1.27{alpine}
        COPY --from=build /app/dist /usr/share/nginx/html
        {health}
    """),
    ("node-yarn", "node", """
        FROM node:18
        WORKDIR /usr/src/app
        {copy_last}
        RUN yarn install --frozen-lockfile
        RUN yarn build
        EXPOSE 3000
        {user}
        CMD ["yarn", "start"]
    """),
    ("go", "go", """
        FROM golang:1.22{alpine} AS build
        WORKDIR /src
        {copy_first_go}
        RUN {mount_go}go mod download
        {copy_last}
        RUN CGO_ENABLED=0 go build -o /out/svc .
        FROM gcr.io/distroless/static-debian12
        COPY --from=build /out/svc /svc
        {user}
        ENTRYPOINT ["/svc"]
    """),
    ("rust", "rust", """
        FROM rust:1.79 AS build
        WORKDIR /src
        {copy_last}
        RUN cargo build --release
        FROM debian:bookworm-slim
        RUN apt-get update && apt-get install -y {norec}ca-certificates{clean}
        COPY --from=build /src/target/release/svc /usr/local/bin/svc
        {user}
        CMD ["svc"]
    """),
    ("java-maven", "java", """
        FROM maven:3.9-eclipse-temurin-21 AS build
        WORKDIR /build
        COPY pom.xml .
        RUN mvn -B dependency:go-offline
        COPY src ./src
        RUN mvn -B package -DskipTests
        FROM eclipse-temurin:21-jre
        COPY --from=build /build/target/app.jar /app.jar
        {user}
        {health}
        ENTRYPOINT ["java", "-jar", "/app.jar"]
    """),
    ("ruby", "ruby", """
        FROM ruby:3.3
        RUN apt-get update -qq && apt-get install -y {norec}nodejs postgresql-client{clean}
        WORKDIR /myapp
        {copy_first_ruby}
        RUN bundle install
        {copy_last}
        EXPOSE 3000
        CMD ["rails", "server", "-b", "0.0.0.0"]
    """),
    ("php", "php", """
        FROM php:8.3-apache
        RUN apt-get update && apt-get install -y {norec}git unzip libzip-dev{clean} \\
            && docker-php-ext-install zip
        COPY --from=composer:2 /usr/bin/composer /usr/bin/composer
        WORKDIR /var/www/html
        {copy_last}
        RUN composer install --no-dev --optimize-autoloader
        {user}
    """),
    ("dotnet", "dotnet", """
        FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
        WORKDIR /src
        COPY App.csproj .
        RUN dotnet restore
        COPY . .
        RUN dotnet publish -c Release -o /app
        FROM mcr.microsoft.com/dotnet/aspnet:8.0
        WORKDIR /app
        COPY --from=build /app .
        {user}
        ENTRYPOINT ["dotnet", "App.dll"]
    """),
    ("alpine-tool", "c", """
        FROM alpine:3.20
        RUN apk add {apk_nocache}curl jq bash git
        COPY main.c /src/main.c
        {user}
        ENTRYPOINT ["/bin/bash"]
    """),
    ("static-site", "static", """
        FROM nginx:1.27{alpine}
        COPY nginx.conf /etc/nginx/conf.d/default.conf
        COPY site/ /usr/share/nginx/html/
        {health}
    """),
    ("django", "poetry", """
        FROM python:3.11{slim}
        ENV PYTHONDONTWRITEBYTECODE=1 \\
            PYTHONUNBUFFERED=1
        RUN apt-get update \\
         && apt-get install -y {norec}libpq5{clean}
        WORKDIR /srv
        {copy_first_poetry}
        RUN {mount}pip install {nocache}poetry==1.8.3 && poetry export -o requirements.txt && \\
            pip install {nocache}-r requirements.txt
        {copy_last}
        RUN python manage.py collectstatic --noinput
        {user}
        {health}
        CMD ["gunicorn", "srv.wsgi"]
    """),
    ("jupyter", "python", """
        FROM jupyter/scipy-notebook:2024-05-27
        USER root
        RUN apt-get update && apt-get install -y {norec}graphviz{clean}
        USER ${{NB_UID}}
        COPY requirements.txt /tmp/
        RUN pip install {nocache}-r /tmp/requirements.txt
        COPY --chown=${{NB_UID}}:${{NB_GID}} . /home/jovyan/work
    """),
    ("ml-serve", "ml", """
        FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
        RUN apt-get update && apt-get install -y {norec}git ffmpeg{clean}
        WORKDIR /workspace
        {copy_last}
        RUN {mount}pip install {nocache}-r requirements.txt
        {user}
        {health}
        CMD ["python", "serve.py"]
    """),
    ("curl-installer", "c", """
        FROM debian:bookworm{slim}
        RUN apt-get update && apt-get install -y {norec}curl ca-certificates{clean}
        RUN curl -fsSL https://example.com/install.sh | sh
        RUN curl -fsSLo /usr/local/bin/tool https://example.com/tool && chmod +x /usr/local/bin/tool
        {user}
        CMD ["tool"]
    """),
    ("c-make", "c", """
        FROM gcc:14 AS build
        WORKDIR /src
        {copy_first_make}
        {copy_last}
        RUN make && make install
        FROM debian:bookworm{slim}
        COPY --from=build /usr/local/bin/app /usr/local/bin/app
        {user}
        CMD ["app"]
    """),
]

# (as first written, half-fixed, fixed): what each placeholder becomes in each variant
VARIANTS = [
    {"slim": "", "alpine": "", "env": "", "norec": "", "clean": "", "mount": "", "mount_uv": "", "mount_npm": "",
     "mount_go": "", "nocache": "", "apk_nocache": "", "user": "", "health": "",
     "copy_first": "COPY . .", "copy_first_uv": "COPY . .", "copy_first_poetry": "COPY . .",
     "copy_first_node": "COPY . .", "copy_first_go": "COPY . .", "copy_first_ruby": "COPY . .",
     "copy_first_make": "", "copy_last": "COPY . ."},
    {"slim": "-slim", "alpine": "-alpine", "env": "ENV PIP_NO_CACHE_DIR=1", "norec": "--no-install-recommends ",
     "clean": "", "mount": "", "mount_uv": "", "mount_npm": "", "mount_go": "", "nocache": "--no-cache-dir ",
     "apk_nocache": "--no-cache ", "user": "USER 1000", "health": "",
     "copy_first": "COPY requirements.txt .", "copy_first_uv": "COPY pyproject.toml uv.lock ./",
     "copy_first_poetry": "COPY pyproject.toml poetry.lock ./", "copy_first_node": "COPY package*.json ./",
     "copy_first_go": "COPY go.mod go.sum ./", "copy_first_ruby": "COPY Gemfile Gemfile.lock ./",
     "copy_first_make": "COPY Makefile ./", "copy_last": "COPY . ."},
    {"slim": "-slim", "alpine": "-alpine", "env": "", "norec": "--no-install-recommends ",
     "clean": " \\\n    && rm -rf /var/lib/apt/lists/*", "mount": "--mount=type=cache,target=/root/.cache/pip ",
     "mount_uv": "--mount=type=cache,target=/root/.cache/uv ", "mount_npm": "--mount=type=cache,target=/root/.npm ",
     "mount_go": "--mount=type=cache,target=/go/pkg/mod ", "nocache": "", "apk_nocache": "--no-cache ",
     "user": "USER 10001", "health": "HEALTHCHECK --interval=30s CMD curl -fs http://localhost:8000/ || exit 1",
     "copy_first": "COPY requirements.txt .", "copy_first_uv": "COPY pyproject.toml uv.lock ./",
     "copy_first_poetry": "COPY pyproject.toml poetry.lock ./", "copy_first_node": "COPY package*.json ./",
     "copy_first_go": "COPY go.mod go.sum ./", "copy_first_ruby": "COPY Gemfile Gemfile.lock ./",
     "copy_first_make": "COPY Makefile ./", "copy_last": "COPY . ."},
]
IGNORE = ".git\n**/__pycache__\nnode_modules\ntests/\n"


def write_corpus(root: Path) -> list[Path]:
    """Write the 60 projects under ``root`` (replacing what is there); returns the Dockerfiles."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for number, (name, kind, template) in enumerate(SHAPES):
        for variant, values in enumerate(VARIANTS):
            project = root / f"{number:02d}-{name}-v{variant}"
            for rel, text in CONTEXT_FILES[kind].items():
                (project / rel).parent.mkdir(parents=True, exist_ok=True)
                (project / rel).write_text(text)
            text = textwrap.dedent(template).strip("\n").format(**values)
            lines = [line for line in text.splitlines() if line.strip()]
            header = f"# {name}, variant {variant}: {('as first written', 'half-fixed', 'fixed')[variant]}"
            dockerfile = project / "Dockerfile"
            dockerfile.write_text("\n".join([header, *lines]) + "\n")
            if variant:
                (project / ".dockerignore").write_text(IGNORE)
            written.append(dockerfile)
    return written


if __name__ == "__main__":
    files = write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/work/lint-corpus"))
    print(f"wrote {len(files)} Dockerfiles")
