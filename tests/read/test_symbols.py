"""Definitions and their line ranges: Python via ast (and its fallback), brace languages and Ruby via the heuristic."""

from __future__ import annotations

import textwrap

import pytest

from thrifty.symbols.api import Symbol, enclosing, find, outline, suggest


def spans(text: str, path: str) -> dict[str, tuple[str, int, int]]:
    return {s.qualname: (s.kind, s.start, s.end) for s in outline(textwrap.dedent(text).lstrip("\n"), path)}


PYTHON = '''
import functools


@functools.cache
@other(
    arg=1,
)
def decorated(x):
    return x


class Outer:
    """Doc."""

    class Inner:
        async def run(self):
            def helper():
                return 1
            return helper()

    @property
    def value(self):
        return 2
'''


def test_python_outline_covers_nested_classes_methods_and_multiline_decorators() -> None:
    assert spans(PYTHON, "m.py") == {
        "decorated": ("function", 4, 9),
        "Outer": ("class", 12, 23),
        "Outer.Inner": ("class", 15, 19),
        "Outer.Inner.run": ("method", 16, 19),
        "Outer.Inner.run.helper": ("function", 17, 18),
        "Outer.value": ("method", 21, 23),
    }


def test_python_that_does_not_parse_falls_back_to_indentation_with_the_same_ranges() -> None:
    broken = PYTHON + "\ndef oops(:\n    pass\n"
    got = spans(broken, "m.py")
    assert got["Outer.Inner.run"] == ("method", 16, 19)
    assert got["decorated"] == ("function", 4, 9)
    assert got["Outer"] == ("class", 12, 23)
    assert got["oops"][1:] == (25, 26)


def test_python_fallback_keeps_multiline_strings_at_column_zero_inside_the_body() -> None:
    text = 'def f(:\n    s = """\nnot code: class X:\n"""\n    return s\n\ny = 1\n'
    assert spans(text, "m.py") == {"f": ("function", 1, 5)}


TYPESCRIPT = '''
// function commented() {
export default class Store extends Base {
  private brace = "}";
  constructor(a: string) {
    super();
  }
  @log()
  async load(id: number): Promise<void> {
    const s = `tmpl ${id} }`;
  }
  handle = (e: Event) => {
    console.log(e);
  };
}
export function top(a = {}) {
  function inner() {
    return 1;
  }
  return inner();
}
const double = (x: number) => x * 2;
describe("suite", () => {
  it("works", function () {});
});
'''


def test_typescript_classes_methods_arrows_and_nested_functions_ignore_braces_in_strings_and_comments() -> None:
    assert spans(TYPESCRIPT, "store.ts") == {
        "Store": ("class", 2, 14),
        "Store.constructor": ("method", 4, 6),
        "Store.load": ("method", 7, 10),
        "Store.handle": ("method", 11, 13),
        "top": ("function", 15, 20),
        "top.inner": ("function", 16, 18),
        "double": ("function", 21, 21),
    }


def test_javascript_regex_literals_do_not_open_comments_or_hide_braces() -> None:
    text = "function a(h) {\n  if (!/^(?:[a-z]+:)?\\/\\//.test(h)) {\n    return /}/g;\n  }\n  return h / 2;\n}\n" \
        "function b() {\n}\n"
    assert spans(text, "a.js") == {"a": ("function", 1, 6), "b": ("function", 7, 8)}


def test_minified_lines_hold_no_definitions() -> None:
    minified = "function a(){return 1}" + ";function b(x){if(x){return x}}" * 2000
    assert outline(minified + "\nfunction c() {\n}\n", "bundle.min.js") == [Symbol("c", "c", "function", 2, 3)]


GO = '''
package main

// func Commented() {
type Server struct {
	name string
}

func (s *Server) Start(cfg interface{}) error {
	x := "}"
	return nil
}

func New() interface{} {
	return &Server{}
}
'''


def test_go_receivers_name_the_owner_and_interface_braces_in_signatures_are_not_bodies() -> None:
    assert spans(GO, "main.go") == {
        "Server": ("struct", 4, 6),
        "Server.Start": ("method", 8, 11),
        "New": ("function", 13, 15),
    }


RUST = '''
#[derive(Debug)]
pub struct Point<'a> {
    x: &'a str,
}

impl<'a> Point<'a> {
    pub fn new(x: &'a str) -> Self {
        let c = '}';
        Point { x }
    }
}

pub trait Shape {
    fn area(&self) -> f64;
}
'''


def test_rust_impl_blocks_own_their_functions_and_lifetimes_are_not_char_literals() -> None:
    got = [(s.kind, s.qualname, s.start, s.end) for s in outline(textwrap.dedent(RUST).lstrip("\n"), "lib.rs")]
    assert got == [
        ("struct", "Point", 1, 4),
        ("impl", "Point", 6, 11),
        ("method", "Point.new", 7, 10),
        ("trait", "Shape", 13, 15),
        ("method", "Shape.area", 14, 14),
    ]


JAVA = '''
package x;

@Deprecated
public class A<T> implements Runnable {
    private int x = 0;

    @Override
    public void run() {
        if (x > 0) {
            System.out.println("}");
        }
    }

    public static <K> Map<K, List<String>> build(
            K key, int n)
            throws IOException {
        return null;
    }

    static class Inner {
        void go() { call(); }
    }
}
'''


def test_java_methods_include_annotations_and_multiline_signatures() -> None:
    assert spans(JAVA, "A.java") == {
        "A": ("class", 3, 23),
        "A.run": ("method", 7, 12),
        "A.build": ("method", 14, 18),
        "A.Inner": ("class", 20, 22),
        "A.Inner.go": ("method", 21, 21),
    }


CPP = '''
#define OPEN {
namespace ns {
class Widget : public Base {
 public:
  Widget(int x);
  void draw() const {
    int y = 0;
  }
};

Widget::Widget(int x) {
  if (x) { }
}

static int
helper(int a)
{
  return a;
}
}  // namespace ns
'''


def test_cpp_namespaces_classes_out_of_line_members_and_gnu_style_functions() -> None:
    assert spans(CPP, "w.cpp") == {
        "ns": ("namespace", 2, 20),
        "ns.Widget": ("class", 3, 9),
        "ns.Widget.draw": ("method", 6, 8),
        "ns.Widget.Widget": ("method", 11, 13),
        "ns.helper": ("function", 16, 19),
    }


RUBY = '''
module Outer
  class Foo < Bar
    def initialize(x)
      @x = x if x
      while x do
        x -= 1
      end
    end

    def self.build = new(1)

    def call
      sql = <<~SQL
        select end from t
      SQL
      [1].each do |i|
        puts i unless i
      end
    end
  end
end
'''


def test_ruby_ends_are_matched_past_modifiers_loops_heredocs_and_endless_defs() -> None:
    assert spans(RUBY, "foo.rb") == {
        "Outer": ("module", 1, 21),
        "Outer.Foo": ("class", 2, 20),
        "Outer.Foo.initialize": ("method", 3, 8),
        "Outer.Foo.build": ("method", 10, 10),
        "Outer.Foo.call": ("method", 12, 19),
    }


MORE_LANGUAGES = {
    "Repo.cs": (
        (
            'namespace App.Core {\n'
            '    [Serializable]\n'
            '    public sealed class Repo<T> : IRepo where T : class {\n'
            '        private readonly string _name = "}";\n'
            '        public Repo(string name) {\n'
            '            _name = name;\n'
            '        }\n'
            '        public async Task<T?> FindAsync(int id) {\n'
            '            return await Load(id);\n'
            '        }\n'
            '        public int Count => 3;\n'
            '        public override string ToString() => _name;\n'
            '    }\n'
            '    public record Point(int X, int Y);\n'
            '}\n'
        ),
        [("namespace", "App.Core", 1, 15), ("class", "App.Core.Repo", 2, 13), ("method", "App.Core.Repo.Repo", 5, 7),
         ("method", "App.Core.Repo.FindAsync", 8, 10), ("method", "App.Core.Repo.ToString", 12, 12),
         ("record", "App.Core.Point", 14, 14)],
    ),
    "User.kt": (
        (
            'package app\n'
            '\n'
            '@JvmInline\n'
            'data class User(val name: String) {\n'
            '    fun greet(): String {\n'
            '        return "hi ${name}"\n'
            '    }\n'
            '    fun short() = name.take(1)\n'
            '    companion object {\n'
            '        fun create(): User = User("x")\n'
            '    }\n'
            '}\n'
            '\n'
            'fun String.shout(): String {\n'
            '    return uppercase()\n'
            '}\n'
        ),
        [("class", "User", 3, 12), ("method", "User.greet", 5, 7), ("method", "User.short", 8, 8),
         ("method", "User.create", 10, 10), ("method", "String.shout", 14, 16)],
    ),
    "Point.swift": (
        (
            'import Foundation\n'
            '\n'
            'struct Point {\n'
            '    var x: Int\n'
            '    init(x: Int) {\n'
            '        self.x = x\n'
            '    }\n'
            '    mutating func move(by d: Int) {\n'
            '        x += d\n'
            '    }\n'
            '}\n'
            '\n'
            'extension Point: Equatable {\n'
            '    static func == (a: Point, b: Point) -> Bool { a.x == b.x }\n'
            '}\n'
        ),
        [("struct", "Point", 3, 11), ("method", "Point.init", 5, 7), ("method", "Point.move", 8, 10),
         ("extension", "Point", 13, 15), ("method", "Point.==", 14, 14)],
    ),
    "Controller.php": (
        (
            '<?php\n'
            'namespace App;\n'
            '\n'
            '#[Attribute]\n'
            'final class Controller extends Base\n'
            '{\n'
            '    public function index(Request $r): Response\n'
            '    {\n'
            '        // } brace in comment\n'
            '        return new Response("{");\n'
            '    }\n'
            '\n'
            '    private static function helper() {}\n'
            '}\n'
            '\n'
            'function topLevel($x) {\n'
            '    return $x;\n'
            '}\n'
        ),
        [("class", "Controller", 4, 14), ("method", "Controller.index", 7, 11), ("method", "Controller.helper", 13, 13),
         ("function", "topLevel", 16, 18)],
    ),
}


@pytest.mark.parametrize("path", sorted(MORE_LANGUAGES))
def test_csharp_kotlin_swift_and_php_definitions_and_their_ranges(path: str) -> None:
    text, expected = MORE_LANGUAGES[path]
    assert [(s.kind, s.qualname, s.start, s.end) for s in outline(text, path)] == expected


def test_unknown_languages_have_no_outline() -> None:
    assert outline("def f():\n  pass\n", "notes.txt") == []


SYMBOLS = [
    Symbol("A", "A", "class", 1, 20),
    Symbol("run", "A.run", "method", 2, 5),
    Symbol("B", "B", "class", 21, 30),
    Symbol("run", "B.run", "method", 22, 25),
    Symbol("helper", "B.run.helper", "function", 23, 24),
]


def test_find_prefers_the_exact_qualname_then_suffix_then_plain_name() -> None:
    assert [s.qualname for s in find(SYMBOLS, "A.run")] == ["A.run"]
    assert [s.qualname for s in find(SYMBOLS, "run.helper")] == ["B.run.helper"]
    assert [s.qualname for s in find(SYMBOLS, "run")] == ["A.run", "B.run"]
    assert find(SYMBOLS, "missing") == []


def test_suggest_offers_near_names_for_typos_and_fragments() -> None:
    assert "B.run.helper" in suggest(SYMBOLS, "helpr")
    assert suggest(SYMBOLS, "ru")[:2] == ["A.run", "B.run"]
    assert suggest(SYMBOLS, "zzzzzz") == []


def test_enclosing_returns_the_innermost_definition_or_none() -> None:
    assert enclosing(SYMBOLS, 23) == SYMBOLS[4]
    assert enclosing(SYMBOLS, 26) == SYMBOLS[2]
    assert enclosing(SYMBOLS, 31) is None
