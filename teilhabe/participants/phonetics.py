"""Name keys for duplicate detection: Kölner Phonetik over a transliterated name, so that
Mohammed/Muhammad/Mohamed or Yilmaz/Yılmaz fall together.  Pure functions."""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"ß": "ss", "ı": "i", "ł": "l", "đ": "d", "ø": "o", "æ": "ae"})


def latin(text: str) -> str:
    """Lower-case ASCII letters of ``text`` (diacritics removed)."""
    text = text.lower().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if "a" <= c <= "z" or c == " ")


def cologne(word: str) -> str:
    """Kölner Phonetik of one word (letters a–z only)."""
    w = latin(word).replace(" ", "")
    codes: list[str] = []
    for i, ch in enumerate(w):
        prev = w[i - 1] if i > 0 else ""
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch in "aeijouy":
            code = "0"
        elif ch == "h":
            code = ""
        elif ch == "b":
            code = "1"
        elif ch == "p":
            code = "3" if nxt == "h" else "1"
        elif ch in "dt":
            code = "8" if nxt in ("c", "s", "z") else "2"
        elif ch in "fvw":
            code = "3"
        elif ch in "gkq":
            code = "4"
        elif ch == "c":
            if i == 0:
                code = "4" if nxt in "ahkloqrux" else "8"
            else:
                code = "8" if prev in "sz" or nxt not in "ahkoqux" else "4"
        elif ch == "x":
            code = "8" if prev in "ckq" else "48"
        elif ch == "l":
            code = "5"
        elif ch in "mn":
            code = "6"
        elif ch == "r":
            code = "7"
        elif ch in "sz":
            code = "8"
        else:
            code = ""
        codes.append(code)
    collapsed: list[str] = []
    for code in "".join(codes):
        if not collapsed or collapsed[-1] != code:
            collapsed.append(code)
    result = "".join(collapsed)
    return result[:1] + result[1:].replace("0", "") if result else ""


def name_key(first_name: str, last_name: str) -> str:
    """Order-independent key of a person's names (first and last name may be swapped)."""
    words = sorted(cologne(w) for w in latin(f"{first_name} {last_name}").split() if w)
    return " ".join(w for w in words if w)
