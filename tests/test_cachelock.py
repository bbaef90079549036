import threading
from pathlib import Path

from harness import cachelock
from harness.cachelock import cache_lock


def test_a_second_holder_waits_for_the_first_and_says_so(tmp_path: Path, monkeypatch) -> None:
    entry = tmp_path / "src" / "tree"
    messages: list[str] = []
    waiting = threading.Event()

    def say(message: str) -> None:
        messages.append(message)
        waiting.set()

    monkeypatch.setattr(cachelock, "say", say)
    order: list[str] = []

    def second() -> None:
        with cache_lock(entry):
            order.append("second")

    with cache_lock(entry):
        other = threading.Thread(target=second)
        other.start()
        assert waiting.wait(10)
        order.append("first")
    other.join(10)
    assert order == ["first", "second"]
    assert messages == [f"waiting for another secns process using {entry}"]
    assert (tmp_path / "src" / "tree.lock").exists()


def test_a_free_lock_is_taken_without_a_word(tmp_path: Path, capsys) -> None:
    with cache_lock(tmp_path / "tree"):
        pass
    with cache_lock(tmp_path / "tree"):
        pass
    assert capsys.readouterr().err == ""
