# Reads the component classes that dash-generate-components wrote from a
# suite's metadata.json, for wheels that do not ship that file. Stdin: a
# JSON object {class name: Python source}. Stdout: a JSON object
# {class name: {"type", "namespace", "description", "props": [[name, type,
# description]], "children_props": [...]}} where each type is put back into
# react-docgen's form (the inverse of dash/development/_py_prop_typing.py).
# Only Python's own parser (ast) reads the source; nothing is imported or run.
import ast
import json
import sys

SIMPLE = {
    "str": {"name": "string"},
    "bool": {"name": "bool"},
    "int": {"name": "number"},
    "float": {"name": "number"},
    "NumberType": {"name": "number"},
    "dict": {"name": "object"},
    "list": {"name": "array"},
    "ComponentType": {"name": "node"},
    "ComponentSingleType": {"name": "node"},
    "Component": {"name": "element"},
    "Any": {"name": "any"},
}


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return dotted(node.value) + "." + node.attr
    raise ValueError("unexpected annotation " + ast.dump(node))


def last(name):
    return name.rsplit(".", 1)[-1]


def args_of(sub):
    s = sub.slice
    return list(s.elts) if isinstance(s, ast.Tuple) else [s]


class Reader:
    def __init__(self, name, shapes):
        self.name = name
        self.shapes = shapes

    def type_of(self, node):
        """A react-docgen type, and whether the value is required."""
        if isinstance(node, ast.Constant):
            if node.value is None:
                return {"name": "any"}
            if isinstance(node.value, str):
                return self.shape(node.value)
            raise ValueError(f"{self.name}: constant annotation {node.value!r}")
        if isinstance(node, (ast.Name, ast.Attribute)):
            n = last(dotted(node))
            if n in SIMPLE:
                return dict(SIMPLE[n])
            if n in ("Sequence", "List"):
                return {"name": "array"}
            if n in ("Dict", "Mapping"):
                return {"name": "object"}
            if n in self.shapes:
                return self.shape(n)
            raise ValueError(f"{self.name}: unknown type name {n}")
        if isinstance(node, ast.Subscript):
            n = last(dotted(node.value))
            args = args_of(node)
            if n in ("Optional", "NotRequired"):
                return self.type_of(args[0])
            if n == "Union":
                members = []
                for a in args:
                    t = self.type_of(a)
                    members.extend(t["value"] if t["name"] == "union" else [t])
                return {"name": "union", "value": members}
            if n == "Literal":
                values = [{"value": json.dumps(ast.literal_eval(a)), "computed": False} for a in args]
                return {"name": "enum", "value": values}
            if n in ("Sequence", "List"):
                return {"name": "arrayOf", "value": self.type_of(args[0])}
            if n in ("Dict", "Mapping"):
                return {"name": "objectOf", "value": self.type_of(args[-1])}
            if n == "Tuple":
                return {"name": "tuple", "elements": [self.type_of(a) for a in args]}
            raise ValueError(f"{self.name}: unknown generic {n}")
        raise ValueError(f"{self.name}: unexpected annotation {ast.dump(node)}")

    def shape(self, name):
        fields = self.shapes.get(name)
        if fields is None:
            raise ValueError(f"{self.name}: no TypedDict {name}")
        value = {}
        for key, ann in fields:
            required = not (
                isinstance(ann, ast.Subscript) and last(dotted(ann.value)) == "NotRequired"
            )
            t = self.type_of(ann)
            t["required"] = required
            value[key] = t
        return {"name": "exact", "value": value}


def typed_dicts(body):
    """`X = TypedDict("X", {"field": annotation, ...})` in a class body."""
    out = {}
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name)
            and stmt.value.func.id == "TypedDict"
        ):
            name = stmt.targets[0].id
            mapping = stmt.value.args[1]
            out[name] = [(k.value, v) for k, v in zip(mapping.keys, mapping.values)]
    return out


def literal_attr(body, name):
    for stmt in body:
        target = None
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
        if target == name:
            return ast.literal_eval(stmt.value)
    raise ValueError(f"no {name}")


def prop_names(init):
    for stmt in ast.walk(init):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
            if stmt.targets[0].attr == "_prop_names":
                return ast.literal_eval(stmt.value)
    raise ValueError("no _prop_names")


def docstring_parts(doc):
    """The component description and {prop: description} from the docstring."""
    head, _, args = doc.partition("\nKeyword arguments:\n")
    lines = head.split("\n")
    description = "\n".join(lines[1:]).strip()
    props = {}
    current = None
    for line in args.split("\n"):
        if line.startswith("- "):
            name = line[2:].split(" ", 1)[0]
            current = []
            props[name] = current
        elif current is not None:
            if line.startswith("    - ") or line.startswith("    `"):
                current = None  # the fields of a shape follow
            elif line.startswith("    "):
                current.append(line[4:])
            elif line.strip():
                current = None
            else:
                current.append("")
    return description, {k: "\n".join(v).strip() for k, v in props.items()}


def read(name, source):
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    reader = Reader(name, typed_dicts(cls.body))
    annotations = {}
    for a in init.args.args + init.args.kwonlyargs:
        if a.annotation is not None:
            annotations[a.arg] = a.annotation
    description, docs = docstring_parts(ast.get_docstring(cls, clean=False) or "")
    props = []
    for prop in prop_names(init):
        ann = annotations.get(prop)
        t = reader.type_of(ann) if ann is not None else None
        props.append([prop, t, docs.get(prop, "")])
    return {
        "type": literal_attr(cls.body, "_type"),
        "namespace": literal_attr(cls.body, "_namespace"),
        "description": description,
        "props": props,
        "children_props": literal_attr(cls.body, "_children_props"),
    }


def main():
    sources = json.load(sys.stdin)
    out = {}
    for name, source in sorted(sources.items()):
        try:
            out[name] = read(name, source)
        except Exception as e:  # noqa: BLE001 - reported to the generator
            sys.stderr.write(f"{name}: {e}\n")
            sys.exit(1)
    json.dump(out, sys.stdout)


main()
