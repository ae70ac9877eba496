"""The zh↔en glossary as the search uses it: one immutable snapshot per process.

``current()`` gives the snapshot: the vocabulary cut whole (every Chinese term, the product
names, the English phrases) and the translations of each term (打印机 → printer; printer
→ 打印机; a word with several partners has them all). It is built from ``GlossaryTerm``
once, then reused while the glossary's version in the shared cache is the one it was
built at; ``changed()`` (after an admin's edit commits) sets a new version, so every
process rebuilds on its next search. A snapshot is never modified, so threads share it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache

from knowledge.models import GlossaryTerm
from knowledge.search.segment import Vocabulary, chinese_key, english_key

log = logging.getLogger(__name__)

CACHE_KEY = "knowledge:glossary:version"
# Chinese product and vendor names cut whole even without a glossary partner.
PRODUCTS = (
    "企业微信",
    "腾讯会议",
    "钉钉",
    "飞书",
    "金山文档",
    "向日葵",
    "有道",
    "搜狗输入法",
    "微信",
    "华为云",
    "阿里云",
    "致远",
    "泛微",
    "用友",
    "金蝶",
)


@dataclass(frozen=True)
class Snapshot:
    """The glossary as words: ``translations`` maps a term's key (``chinese_key`` or
    ``english_key``) to its partners' keys."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, str]]) -> Snapshot:
        partners: dict[str, dict[str, None]] = {}
        chinese: set[str] = set(PRODUCTS)
        english: set[str] = set()
        for zh, en in pairs:
            zh_key, en_key = chinese_key(zh), english_key(en)
            if not zh_key or not en_key:
                continue
            chinese.add(zh_key)
            english.add(en_key)
            partners.setdefault(zh_key, {})[en_key] = None
            partners.setdefault(en_key, {})[zh_key] = None
        return cls(
            vocabulary=Vocabulary.build(chinese, english),
            translations={key: tuple(found) for key, found in partners.items()},
        )

    def partners(self, key: str) -> tuple[str, ...]:
        return self.translations.get(key, ())


_lock = threading.Lock()
_current: tuple[str, Snapshot] | None = None


def _version() -> str | None:
    """The glossary's version in the shared cache (one is set when there is none)."""
    try:
        found = cache.get(CACHE_KEY)
        if found is None:
            cache.add(CACHE_KEY, uuid.uuid4().hex, timeout=None)
            found = cache.get(CACHE_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not stop the search
        log.warning("glossary version unavailable from the cache", exc_info=True)
        return None
    return str(found) if found is not None else None


def load() -> Snapshot:
    """A snapshot of the glossary as it is in the database now (one query)."""
    return Snapshot.build(GlossaryTerm.objects.values_list("zh", "en"))


def current() -> Snapshot:
    """The snapshot of the glossary's current version: no query while it is unchanged.

    The version is read before the terms, so a change committed meanwhile leaves a newer
    version behind and the next call rebuilds. Without a cache the last snapshot is used
    (or one is built when there is none).
    """
    global _current
    version = _version()
    kept = _current
    if kept is not None and (version is None or kept[0] == version):
        return kept[1]
    snapshot = load()
    with _lock:
        _current = (version or "", snapshot)
    return snapshot


def changed() -> None:
    """The glossary changed (call once the change is committed): every process rebuilds
    its snapshot on its next use, this one at once."""
    global _current
    with _lock:
        _current = None
    try:
        cache.set(CACHE_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - the other processes then keep their snapshot
        log.warning("glossary version not stored in the cache", exc_info=True)
