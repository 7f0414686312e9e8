from helpers.image.archive import FILE, Entry
from helpers.measure import unwanted
from helpers.measure.replay import Placed, Replay, replay
from helpers.measure.report import want


def kinds(found):
    return {(u.path, u.kind, u.visible) for u in found}


def test_planted_files_found_in_final_and_hidden_layers(tiny):
    found = kinds(unwanted.find(replay(tiny, want=want), weight_threshold=1000))
    assert ("/app/.env", ".env", True) in found
    assert ("/app/.env", ".env", False) in found  # the first COPY's copy, still in its layer
    assert ("/app/deploy.key", "private key", True) in found
    assert ("/app/model.safetensors", "model weights", True) in found
    assert ("/app/tests", "tests folder", True) in found


def test_weights_under_the_threshold_are_not_flagged(tiny):
    found = kinds(unwanted.find(replay(tiny, want=want)))
    assert not any(kind == "model weights" for _, kind, _ in found)


def placed(path, size, data=None):
    return Placed(0, Entry(path, FILE, size, 0o644, 0, 0))


def test_keys_are_recognised_by_content_not_name():
    final = {"/etc/ssl/certs/ca.pem": placed("/etc/ssl/certs/ca.pem", 50),
             "/srv/id_rsa": placed("/srv/id_rsa", 60)}
    captured = {"/etc/ssl/certs/ca.pem": b"-----BEGIN CERTIFICATE-----\n",
                "/srv/id_rsa": b"-----BEGIN OPENSSH PRIVATE KEY-----\n"}
    found = kinds(unwanted.find(Replay([], final, [], captured)))
    assert found == {("/srv/id_rsa", "private key", True)}


def test_apt_caches_named_bin_are_not_weights():
    size = 40 * 1024 * 1024
    final = {"/var/cache/apt/pkgcache.bin": placed("/var/cache/apt/pkgcache.bin", size),
             "/models/encoder.bin": placed("/models/encoder.bin", size)}
    assert kinds(unwanted.find(Replay([], final, []))) == {("/models/encoder.bin", "model weights", True)}


def test_a_folder_is_reported_once_with_its_totals():
    final = {p: placed(p, 10) for p in ("/app/tests/a.py", "/app/tests/sub/b.py", "/app/docs/x.md", "/app/main.py")}
    found = {u.path: (u.kind, u.files, u.bytes) for u in unwanted.find(Replay([], final, []))}
    assert found == {"/app/tests": ("tests folder", 2, 20), "/app/docs": ("docs folder", 1, 10)}
