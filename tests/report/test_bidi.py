"""Bidirectional text: paragraph direction from the majority script, other runs isolated."""

from sim.report import html as h

ARABIC_QUOTE = "مخاوف من فراغ أمني"  # "fears of a security vacuum"
ENGLISH_QUOTE = "Why is the US leaving?"


def test_english_paragraph_with_an_arabic_quote_is_left_to_right_with_the_quote_isolated():
    text = f'The article warns of "{ARABIC_QUOTE}" after the exit.'
    assert h.direction(text) == "ltr"
    assert h.para(text) == (
        f'<p dir="ltr">The article warns of &quot;<bdi dir="rtl">{ARABIC_QUOTE}</bdi>&quot; '
        "after the exit.</p>"
    )


def test_arabic_paragraph_with_an_english_quote_is_right_to_left_and_keeps_its_question_mark():
    text = f"يسأل المقال عن الانسحاب الأمريكي من العراق: {ENGLISH_QUOTE} وماذا بعد"
    assert h.direction(text) == "rtl"
    # the question mark belongs to the English run: isolated with it, not left at its far end
    assert f'<bdi dir="ltr">{ENGLISH_QUOTE}</bdi>' in h.para(text)
    assert h.para(text).startswith('<p dir="rtl">')


def test_a_mostly_english_description_that_starts_with_arabic_is_left_to_right():
    # dir="auto" would take the first strong character (Arabic) and right-align it all
    text = "لماذا تسرع الولايات المتحدة؟ / Why is the US accelerating its withdrawal from Iraq?"
    assert h.direction(text) == "ltr"
    assert h.bidi_html(text).startswith('<bdi dir="rtl">لماذا تسرع الولايات المتحدة؟</bdi> / Why')


def test_text_without_letters_is_left_to_right_and_only_escaped():
    assert h.direction("2025-08 <1>") == "ltr"
    assert h.para("2025-08 <1>", "td") == '<td dir="ltr">2025-08 &lt;1&gt;</td>'


def test_arabic_inside_english_inside_arabic_is_escaped_in_every_run():
    text = "نص <عربي> with <b> English & more نص"
    html = h.bidi_html(text, "rtl")
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert html.count("<bdi") == 1
