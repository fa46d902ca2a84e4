"""The chart cache's file format: what is written reads back equal, and nothing else is trusted."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.charts.art import ANCHORS, FACES, Clip, Label, Shape, VectorArt

coordinates = st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 3) + 0.0)
lengths = st.floats(0, 1e3, allow_nan=False).map(lambda v: round(v, 3) + 0.0)
sizes = st.floats(0.001, 1e4, allow_nan=False).map(lambda v: round(v, 3)).filter(lambda v: v > 0)
alphas = st.sampled_from([0.0, 0.25, 0.5, 1.0])
colours = st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)
point = st.tuples(coordinates, coordinates)


@st.composite
def segments(draw: st.DrawFn) -> tuple[str | float, ...]:
    result: list[str | float] = ["M", *draw(point)]
    for operator in draw(st.lists(st.sampled_from("LCZ"), max_size=6)):
        count = {"L": 2, "C": 6, "Z": 0}[operator]
        result += [operator, *draw(st.lists(coordinates, min_size=count, max_size=count))]
    return tuple(result)


clips = st.none() | st.builds(
    Clip, st.none() | st.tuples(coordinates, coordinates, coordinates, coordinates),
    st.none() | segments(),
)  # fmt: skip
shapes = st.builds(
    Shape,
    segments=segments(),
    fill=st.none() | colours,
    stroke=st.none() | colours,
    line_width=lengths,
    fill_alpha=alphas,
    stroke_alpha=alphas,
    dash=st.none() | st.lists(lengths, min_size=1, max_size=4).filter(any).map(tuple),
    dash_offset=coordinates,
    cap=st.sampled_from([0, 1, 2]),
    join=st.sampled_from([0, 1, 2]),
    clip=clips,
)
labels = st.builds(
    Label,
    x=coordinates,
    y=coordinates,
    text=st.text(max_size=30),
    face=st.sampled_from(FACES),
    size=lengths,
    colour=colours,
    alpha=alphas,
    angle=coordinates,
    anchor=st.sampled_from(ANCHORS),
    clip=clips,
)
arts = st.builds(VectorArt, sizes, sizes, st.lists(shapes | labels, max_size=8).map(tuple))


@given(arts)
def test_what_is_written_reads_back_equal(art):
    assert VectorArt.from_json(art.to_json()) == art


@given(st.binary(max_size=200))
def test_any_bytes_either_read_or_raise_value_error(data):
    with contextlib.suppress(ValueError):
        VectorArt.from_json(data)


@given(arts, st.data())
def test_a_value_of_the_wrong_type_is_refused_not_half_read(art, data):
    document = json.loads(art.to_json())
    if not document["items"]:
        return
    item = data.draw(st.sampled_from(document["items"]))
    item[data.draw(st.sampled_from(sorted(item)))] = data.draw(st.sampled_from([[None], True]))
    with pytest.raises(ValueError):
        VectorArt.from_json(json.dumps(document).encode())


def test_a_path_must_start_with_a_move():
    art = b'{"format":1,"width":1,"height":1,"items":[{"type":"shape","segments":["L",1,1],"fill":null,"stroke":"#000000"}]}'
    with pytest.raises(ValueError, match="does not start with M"):
        VectorArt.from_json(art)
