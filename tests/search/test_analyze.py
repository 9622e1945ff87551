"""Text analysis: the one function that turns titles and queries into search terms."""

from __future__ import annotations

import pytest

from shopmind.index import analyze, normalise


@pytest.mark.parametrize("text", ["1/2 in.", '1/2"', "1/2 inch", "1/2 inches", "1/2in.", "1/2 In."])
def test_half_inch_spellings_all_give_the_same_terms(text: str) -> None:
    assert analyze(text) == ["1/2", "in"]


def test_three_quarter_inch_quote() -> None:
    assert analyze('3/4"') == ["3/4", "in"]
    assert analyze('3/4"') == analyze("3/4 in.") == analyze("3/4 inch")


def test_full_width_quote_is_an_inch_after_nfkc() -> None:
    assert analyze("3/4＂") == ["3/4", "in"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 sq. ft.", ["12", "sqft"]),
        ("12 sq ft", ["12", "sqft"]),
        ("12 square feet", ["12", "sqft"]),
        ("2 cu. ft.", ["2", "cuft"]),
        ("2 cubic feet", ["2", "cuft"]),
        ("5 gallon", ["5", "gal"]),
        ("5 gallons", ["5", "gal"]),
        ("5 gal.", ["5", "gal"]),
        ("gallon", ["gal"]),
        ("gal.", ["gal"]),
        ("8 ft.", ["8", "ft"]),
        ("8'", ["8", "ft"]),
        ("50 lbs.", ["50", "lb"]),
    ],
)
def test_measures_are_normalised(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        ("18cu ft", "18 cu. ft."),  # a real Home Depot query: "18cu ft top freezer"
        ("7cu. ft.", "7 cu. ft."),  # "double oven 7cu. ft."
        ("40sq. ft.", "40 sq. ft."),  # a real title: "(10 Tiles/Case-40sq. ft.)"
        ("21.12sq.ft.", "21.12 sq. ft."),
    ],
)
def test_area_and_volume_glued_to_the_number(glued: str, spaced: str) -> None:
    assert analyze(glued) == analyze(spaced)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("18-Volt", "18V"),  # Home Depot: 1,395 titles say "N-Volt", 62 "NV"
        ("18-Volt", "18-V"),
        ("5-gallon", "5-gal."),  # the docstring's "1-gal." gives "1gal"; so must "1-gallon"
        ("40-pound", "40-lb."),
    ],
)
def test_a_measure_glued_to_its_number_analyses_alike_in_any_spelling(one: str, other: str) -> None:
    assert analyze(one) == analyze(other)


def test_query_and_title_spellings_of_a_measure_meet() -> None:
    title = analyze('BEHR Premium 1 gal. Deck Stain 3/4" x 12 sq. ft.')
    query = analyze("behr 1 gallon deck stain 3/4 inch 12 square feet")
    assert set(query) <= set(title)


def test_dimensions_analyse_alike_with_or_without_spaces() -> None:
    assert analyze("2x4") == analyze("2 x 4") == ["2", "x", "4"]
    assert analyze("2X4 stud") == analyze("2 x 4 stud")


def test_model_codes_are_kept_whole_without_punctuation() -> None:
    terms = analyze("#SC-141")
    assert terms[0] == "sc141"
    assert {"sc", "141"} <= set(terms)
    assert "#sc-141" not in terms and "sc-141" not in terms
    assert analyze("DCD771C2")[0] == "dcd771c2"
    assert "r13" in analyze("R-13 insulation")


def test_plain_words_and_numbers_are_not_model_codes() -> None:
    assert analyze("Simpson") == ["simpson"]
    assert analyze("740000801") == ["740000801"]


def test_docstring_example() -> None:
    assert analyze('BEHR 1-gal. #SC-141 Deck 3/4" x 2x4') == [
        "behr",
        "1gal",
        "1",
        "gal",
        "sc141",
        "sc",
        "141",
        "deck",
        "3/4",
        "in",
        "x",
        "2",
        "x",
        "4",
    ]


def test_words_are_stemmed() -> None:
    assert analyze("drills") == ["drill"]
    assert analyze("Drilling") == ["drill"]
    assert analyze("Wireless Earbuds") == ["wireless", "earbud"]
    assert analyze("earbuds") == analyze("earbud")
    # plurals the stemmer would leave apart from their singular
    assert analyze("glass shelves") == analyze("glass shelf") == ["glass", "shelf"]
    assert analyze("steak knives") == analyze("steak knife")
    # British and American spellings meet, units too
    assert analyze("grey crown mouldings") == analyze("gray crown molding")
    assert analyze("2 metres") == analyze("2 meters") == ["2", "m"]
    assert analyze("12 millimetres") == analyze("12 mm")
    assert analyze("coloured grout") == analyze("colored grout")


def test_stopwords_are_dropped_but_in_is_kept() -> None:
    assert analyze("the drill for a box of screws in the garage") == [
        "drill",
        "box",
        "screw",
        "in",
        "garag",
    ]
    assert "in" in analyze("plug in")


def test_chinese_gives_characters_pairs_words_and_pinyin() -> None:
    terms = analyze("安装简单")
    assert terms[:7] == ["安", "装", "简", "单", "安装", "装简", "简单"]
    assert "安装简单" in terms  # a dictionary word longer than a pair
    assert {"anzhuang", "jiandan", "anzhuangjiandan"} <= set(terms)  # pinyin, for products


def test_chinese_queries_search_pairs_and_words_only() -> None:
    assert analyze("安装简单", query=True) == ["安装", "装简", "简单", "安装简单"]
    assert analyze("耳", query=True) == ["耳"]
    assert analyze("wireless 耳机", query=True) == ["耳机", "wireless"]
    assert analyze("wireless earbuds", query=True) == analyze("wireless earbuds")


def test_query_word_is_found_inside_a_longer_chinese_word() -> None:
    assert set(analyze("简单", query=True)) <= set(analyze("手机壳 安装简单 防摔"))
    assert set(analyze("简单")) <= set(analyze("手机壳 安装简单 防摔"))
    assert set(analyze("蓝牙耳机")) <= set(analyze("声浪 蓝牙耳机 运动版"))


def test_mixed_chinese_and_english() -> None:
    terms = analyze("5G手机 12+256GB")
    assert {"手", "机", "手机"} <= set(terms)
    assert {"5", "g", "12", "256", "gb"} <= set(terms)
    assert set(analyze("5G手机")) <= set(analyze("星耀 5G手机 8+128GB 黑色"))


def test_empty_and_blank_text() -> None:
    assert analyze("") == []
    assert analyze("   \t\n") == []
    assert analyze("!!! ,,, ()") == []


def test_analysis_is_case_insensitive() -> None:
    assert analyze("WIRELESS EARBUDS") == analyze("wireless earbuds")


def test_normalise_lowercases_and_rewrites_measures() -> None:
    assert normalise("ＡＢＣ") == "abc"
    assert "sqft" in normalise("10 Sq. Ft.")


def test_traditional_chinese_folds_to_simplified() -> None:
    assert analyze("藍牙耳機", query=True) == analyze("蓝牙耳机", query=True)
    assert "lanya" in analyze("藍牙耳機")
