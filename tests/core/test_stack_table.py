"""``{% stacktable %}``: a list table stacks on a phone with each cell named by its column
(CONVENTIONS "Tables on a phone")."""

from __future__ import annotations

from django.template import Context, Template

from jiceng.core.templatetags.jiceng import stack_table

TABLE = (
    '<table class="table" data-testid="t"><thead><tr><th>时间</th><th><span>社区</span></th>'
    "<th>需求 &amp; 说明</th><th></th></tr></thead><tbody>"
    '<tr class="x"><td>11-29</td><td>公园社区</td><td data-label="已有">灯</td><td><form></form></td></tr>'
    '<tr><td colspan="4" class="muted">没有需求。</td></tr></tbody></table>'
)


def test_each_cell_is_named_by_its_column_and_the_table_stacks():
    html = stack_table(TABLE)
    assert 'class="table stack"' in html
    assert '<td data-label="时间">11-29</td>' in html
    assert '<td data-label="社区">公园社区</td>' in html  # the heading's text, not its markup
    assert '<td data-label="已有">灯</td>' in html  # a label already there is kept
    assert "<td><form></form></td>" in html  # a column without a heading gets none
    assert '<td colspan="4" class="muted">' in html  # a cell across columns is left alone


def test_a_heading_with_a_quote_cannot_break_out_of_the_attribute():
    html = stack_table(TABLE.replace("时间", 'a" onclick="x'))
    assert 'data-label="a&quot; onclick=&quot;x"' in html


def test_the_tag_wraps_what_a_template_renders():
    template = Template("{% load jiceng %}{% stacktable %}" + TABLE + "{% endstacktable %}")
    assert '<td data-label="时间">11-29</td>' in template.render(Context({}))


def test_a_table_without_headings_is_left_as_it_is():
    plain = '<table class="table"><tbody><tr><td>1</td></tr></tbody></table>'
    assert stack_table(plain) == plain
