"""Minutes keep paragraphs, lists and bold; nothing that can run survives, stored or rendered."""
import pytest
from django.template import Context, Template

from activities.sanitize import clean_minutes, minutes_as_text, render_minutes

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<a href=\"javascript:alert(1)\">点我</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<p style=\"width: expression(alert(1))\">x</p>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
    "<embed src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<body onload=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<b onmouseover=alert(1)>粗体</b>",
    "<p onclick='alert(1)'>段落</p>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<template><img src=x onerror=alert(1)></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle",
             "javascript:", "<img", "<svg", "<iframe", "<object", "<embed", "style=", "href=",
             "src=", "expression(", "<style", "data:", "<a ", "<math", "<form", "<input", "<meta"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_survives_cleaning(payload):
    cleaned = clean_minutes("会议记录" + payload + "结束").lower()
    for bad in FORBIDDEN:
        assert bad not in cleaned, (payload, cleaned)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_survives_rendering_even_if_stored_raw(payload):
    html = Template("{% load activities_tags %}{{ m|safe_minutes }}").render(
        Context({"m": payload})).lower()
    for bad in FORBIDDEN:
        assert bad not in html, (payload, html)


def test_the_safe_subset_is_kept():
    text = "<p>一、<strong>传达</strong>精神</p><ul><li>第一条</li><li><em>第二条</em></li></ul><b>粗</b><br>"
    assert clean_minutes(text) == (
        "<p>一、<strong>传达</strong>精神</p><ul><li>第一条</li><li><em>第二条</em></li></ul><b>粗</b><br>"
    )


def test_attributes_are_dropped_from_allowed_tags():
    assert clean_minutes('<p class="x" id="y" title="z">文</p>') == "<p>文</p>"


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert clean_minutes("第一行\n第二行\n\n第二段 a&b") == "<p>第一行<br>第二行</p><p>第二段 a&amp;b</p>"


def test_minutes_as_text_for_spreadsheets():
    assert minutes_as_text("<p>一</p><ul><li>二</li></ul>") == "一\n二"


def test_render_is_idempotent_on_clean_input():
    cleaned = clean_minutes("<p>甲</p><ol><li>乙</li></ol>")
    assert render_minutes(cleaned) == cleaned
