import ctypes.util

from documents import checks


def test_check_is_silent_when_fonts_and_harfbuzz_subset_are_installed():
    checks.missing_dependencies.cache_clear()
    assert checks.check_document_rendering() == []


def test_check_warns_loudly_without_harfbuzz_subset_or_cjk_fonts(monkeypatch):
    checks.missing_dependencies.cache_clear()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(checks, "FONT_FAMILY", "No Such Font CJK")
    try:
        warnings = checks.check_document_rendering()
    finally:
        checks.missing_dependencies.cache_clear()
    messages = " ".join(w.msg for w in warnings)
    assert {w.id for w in warnings} == {"documents.W001"}
    assert "libharfbuzz-subset" in messages and "No Such Font CJK" in messages
