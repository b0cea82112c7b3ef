"""Korean particles in the form the word before them takes, as a Korean instructor writes."""

import re
import tomllib

import pytest

from grader import particles
from grader.words import MESSAGES_DIR, say_in

READINGS = [
    # Hangul: by the last syllable's final consonant, ㄹ taking 로
    ("파일", "이(가)", "파일이"),
    ("모델", "(으)로", "모델로"),
    ("집", "(으)로", "집으로"),
    ("폴더", "을(를)", "폴더를"),
    # the kit's names, read as Korean reads them
    ("ex05_build_compile", "을(를)", "ex05_build_compile을"),  # 컴파일
    ("ex01_activations", "은(는)", "ex01_activations는"),  # 액티베이션스
    ("nan", "이(가)", "nan이"),  # 난
    ("inf", "이(가)", "inf가"),  # 인프
    ("None", "이(가)", "None이"),  # 논
    ("True", "이(가)", "True가"),  # 트루
    ("sigmoid(x)", "이(가)", "sigmoid(x)가"),  # a call is read by its name: 시그모이드
    (
        "train(model, X_train, epochs=8, batch_size=24)",
        "이(가)",
        "train(model, X_train, epochs=8, batch_size=24)이",
    ),
    ("Dense(10)", "이(가)", "Dense(10)가"),  # 덴스
    ("`relu`", "이(가)", "`relu`가"),  # 렐루
    ("adam", "(으)로", "adam으로"),  # 아담
    ("RMSprop", "(으)로", "RMSprop으로"),  # 알엠에스프롭
    ("model", "(으)로", "model로"),  # 모델
    ("step", "이(가)", "step이"),  # 스텝
    ("Dropout(0.3)", "(으)로", "Dropout(0.3)으로"),  # 드롭아웃
    ("callback", "이(가)", "callback이"),  # 콜백
    ("stack", "을(를)", "stack을"),  # 스택
    ("check", "이(가)", "check가"),  # 체크
    ("dtype", "이(가)", "dtype이"),  # 디타입
    ("notebook", "은(는)", "notebook은"),  # 노트북
    ("timeout", "이(가)", "timeout이"),  # 타임아웃
    ("list", "이(가)", "list가"),  # 리스트
    ("binary_crossentropy", "을(를)", "binary_crossentropy를"),  # 크로스엔트로피
    # letter by letter: capitals, and words without a vowel
    ("MSE", "은(는)", "MSE는"),
    ("SGD", "과(와)", "SGD와"),
    ("curve.png", "을(를)", "curve.png를"),  # 피엔지
    ("HTML", "(으)로", "HTML로"),  # 엘
    # numbers: by the last digit, or the last power of ten
    ("0.01", "(으)로", "0.01로"),  # 일
    ("model.h5", "을(를)", "model.h5를"),  # 오
    ("3", "이(가)", "3이"),  # 삼
    ("10", "이(가)", "10이"),  # 십
    ("0", "이(가)", "0이"),  # 영
    ("1.19e-07", "은(는)", "1.19e-07은"),  # 칠
    # what the kit cannot read keeps both forms
    ("?", "이(가)", "?이(가)"),
    ("黃金", "(으)로", "黃金(으)로"),
]


@pytest.mark.parametrize(("word", "particle", "expected"), READINGS)
def test_the_particle_is_the_one_the_word_takes(word: str, particle: str, expected: str) -> None:
    assert particles.resolved(word + particle) == expected


def test_every_particle_in_a_sentence_is_resolved() -> None:
    assert particles.resolved("nan이(가) b을(를) 모델(으)로") == "nan이 b를 모델로"


def _sentences(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _sentences(value)]
    if isinstance(node, list):
        return [s for value in node for s in _sentences(value)]
    return [str(node)]


def test_no_korean_sentence_shows_both_forms_for_the_kits_words() -> None:
    """Every sentence of ``ko.toml``, its fields filled with words of the kit's own kinds (a
    call, a file, a value, a name), reads with one form of each particle."""
    with (MESSAGES_DIR / "ko.toml").open("rb") as f:
        table = tomllib.load(f)
    samples = ["sigmoid(x)", "activations.py", "nan", "ex05_build_compile", "0.01", "Dense"]
    for sentence in _sentences(table):
        fields = {name: None for name in re.findall(r"\{(\w+)", sentence)}
        for sample in samples:
            text = particles.resolved(re.sub(r"\{\w+(?::[^}]*)?\}", sample, sentence))
            assert not re.search(r"이\(가\)|은\(는\)|을\(를\)|과\(와\)|\(으\)로", text), (
                f"{sentence!r} with {sample!r} for {list(fields)} reads {text!r}"
            )


HARD_CODED = re.compile(r"\{\w+(?::[^}]*[^%])?\}(?:(?:은|는|을|를|과|와|로|가|이)(?![(가-힣])|였)")
"""A field followed by a particle written in one form only: 은, 는, 을, 를, 과, 와, 로, 가 or
이 standing alone, or 였 (이었 after a final consonant). A percentage (``{fraction:.0%}``) is
read 퍼센트, which takes the form without a final consonant, so it may be followed by one."""


def test_no_korean_sentence_hard_codes_a_particle_after_a_field() -> None:
    """A particle after a field is written in both forms, ``{call}이(가)``, since the word
    that fills the field decides it (``0.8은`` but ``0.9는``)."""
    with (MESSAGES_DIR / "ko.toml").open("rb") as f:
        table = tomllib.load(f)
    found = [found.group() for s in _sentences(table) for found in HARD_CODED.finditer(s)]
    assert found == []
    assert HARD_CODED.findall("적어도 {floor}는 {x:.5f}였고 {y}(으)로 {fraction:.0%}를") == [
        "{floor}는",
        "{x:.5f}였",
    ]


def test_say_in_korean_resolves_particles_and_english_is_untouched() -> None:
    assert say_in("ko", "keras.no_file", call="train(model)", path="x").startswith(
        "train(model)이 "
    )
    assert say_in("en", "keras.no_file", call="f", path="x") == "f wrote no file at x."
