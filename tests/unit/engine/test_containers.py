from helpers.engine.containers import parse_proc_status_uid

STATUS = "Name:\tpython\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"


def test_real_uid_from_proc_status():
    assert parse_proc_status_uid(STATUS) == 1000
    assert parse_proc_status_uid(STATUS.replace("1000", "0")) == 0


def test_no_uid_line():
    assert parse_proc_status_uid("OCI runtime exec failed") is None
