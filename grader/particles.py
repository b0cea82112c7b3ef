"""Korean particles chosen by the word before them, as a Korean instructor writes them.

A message in ``messages/ko.toml`` writes a particle that depends on the word before it in both
forms, ``{call}이(가)``; once the fields are filled in, ``resolved`` keeps the one form that
word takes: ``ex05_build_compile을``, ``nan이``, ``sigmoid(x)가``, ``0.01로``.

- 이/가, 은/는, 을/를, 과/와: the first form after a syllable with a final consonant (받침),
  the second after one without.
- 으로/로: 으로 after a final consonant other than ㄹ; 로 after ㄹ or none.

The final consonant of a word in Latin letters or digits is that of the word as Korean reads
it (``final_of``). Where that reading is unknown (a symbol, a word of another script), both
forms stay, as they were written."""

import re

NONE, RIEUL, OTHER = "none", "rieul", "other"
"""A syllable's final consonant: none, ㄹ (which takes 로 as none does), or another."""

PAIRS = {
    "이(가)": ("이", "가"),
    "은(는)": ("은", "는"),
    "을(를)": ("을", "를"),
    "과(와)": ("과", "와"),
}
PARTICLE = re.compile(r"(이\(가\)|은\(는\)|을\(를\)|과\(와\)|\(으\)로)")
HANGUL_FIRST, HANGUL_LAST, FINALS = 0xAC00, 0xD7A3, 28
RIEUL_INDEX = 8
"""A Hangul syllable's final consonant is ``(code - 0xAC00) % 28`` (0: none, 8: ㄹ)."""

DIGIT_FINALS = {
    "0": OTHER, "1": RIEUL, "2": NONE, "3": OTHER, "4": NONE,
    "5": NONE, "6": OTHER, "7": RIEUL, "8": RIEUL, "9": NONE,
}  # fmt: skip
"""영 일 이 삼 사 오 육 칠 팔 구; a number that ends in zeros ends in 십, 백, 천, 만 or 억,
each with a final consonant other than ㄹ."""
LETTER_NAME_FINALS = {"l": RIEUL, "r": RIEUL, "m": OTHER, "n": OTHER}
"""A short word in capitals (MSE, SGD) or one without a vowel (png, h) is read letter by
letter: of the letters' names only 엘, 알, 엠, 엔 end in a consonant."""
ENDINGS = (
    (re.compile(r"(ng|[mn])$"), OTHER),  # adam 아담, mean 민, sparse_fn 펀, string 스트링
    (re.compile(r"(l|le)$"), RIEUL),  # model 모델, compile 컴파일, scale 스케일
    (re.compile(r"(me|ne)$"), OTHER),  # time 타임, none 논
    (re.compile(r"(?<![aeiou])[aeiou][ktp]$"), OTHER),  # net 넷, step 스텝
    (re.compile(r"(?<!che)ck$"), OTHER),  # stack 스택, callback 콜백 (but check 체크)
    (re.compile(r"(out|ook|eep|ype)$"), OTHER),  # dropout 드롭아웃, notebook 노트북, type 타입
)
"""How an English word's end sounds in Korean; every other end (a vowel, s, x, d, r, th,
a silent e, a consonant after a consonant: relu 렐루, loss 로스, seed 시드, layer 레이어,
list 리스트) ends without a final consonant."""
CLOSING = "'\"`]}>.,:;!?* \t\n"
"""What is not read before a particle: closing quotes and brackets, punctuation, spaces."""


def spoken_end(text: str) -> str:
    """``text`` without what Korean does not read before a particle: closing quotes and
    punctuation, and a call's arguments (``train(model, epochs=8)`` is read as ``train``)."""
    while text:
        text = text.rstrip(CLOSING)
        if not text.endswith(")"):
            return text
        depth = 0
        for at in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[at], 0)
            if depth == 0:
                text = text[:at]
                break
        else:
            return text.rstrip(")")
    return text


def final_of(text: str) -> str | None:
    """The final consonant of the last syllable of ``text`` as Korean reads it (``NONE``,
    ``RIEUL`` or ``OTHER``), or None where the kit cannot tell."""
    word = spoken_end(text)
    if not word:
        return None
    last = word[-1]
    if HANGUL_FIRST <= ord(last) <= HANGUL_LAST:
        index = (ord(last) - HANGUL_FIRST) % FINALS
        return NONE if index == 0 else RIEUL if index == RIEUL_INDEX else OTHER
    if last.isdigit() and last.isascii():
        number = re.search(r"\d+$", word).group()  # type: ignore[union-attr]
        return OTHER if number.strip("0") and last == "0" else DIGIT_FINALS[last]
    if not (last.isascii() and last.isalpha()):
        return None
    letters = re.search(r"[A-Za-z]+$", word).group()  # type: ignore[union-attr]
    if (letters.isupper() and len(letters) <= 4) or not re.search("[aeiouy]", letters, re.I):
        return LETTER_NAME_FINALS.get(letters[-1].lower(), NONE)
    letters = letters.lower()
    for ending, final in ENDINGS:
        if ending.search(letters):
            return final
    return NONE


def resolved(text: str) -> str:
    """``text`` with each particle written in both forms kept in the form its word takes."""
    parts = PARTICLE.split(text)
    out = [parts[0]]
    for particle, after in zip(parts[1::2], parts[2::2], strict=True):
        out.append(_form("".join(out), particle) + after)
    return "".join(out)


def _form(before: str, particle: str) -> str:
    final = final_of(before)
    if final is None:
        return particle
    if particle == "(으)로":
        return "으로" if final == OTHER else "로"
    with_final, without = PAIRS[particle]
    return without if final == NONE else with_final
