"""Shared by the plot scripts (files stage: CSV -> pictures): write a Figure in the format its
file name says, decide when an axis should be logarithmic, and resolve a script's --out/--format.

Importable from a notebook; nothing here selects a matplotlib backend.
"""
import math
import os

FORMATS = ("png", "pdf", "svg")


def output_format(path):
    """The format named by the file's extension: png, pdf or svg (ValueError for anything else)."""
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in FORMATS:
        raise ValueError("%s: expected a file ending in .png, .pdf or .svg, got %r" % (path, extension or "no extension"))
    return extension


def save(figure, path, dpi=150):
    """Write `figure` to `path` in the format of its extension, whole or not at all (a temporary
    name in the same directory, then a rename). `dpi` applies to PNG (and to images inside PDF/SVG)."""
    fmt = output_format(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, ".%s.tmp.%d.%s" % (os.path.basename(path), os.getpid(), fmt))
    try:
        figure.savefig(temporary, format=fmt, dpi=dpi, bbox_inches="tight")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def spans_decades(values, decades=2.0):
    """True when the finite positive values run over at least `decades` powers of ten (and none is
    zero or negative): such data reads only on a log axis."""
    finite = [v for v in values if v is not None and not math.isnan(v) and not math.isinf(v)]
    if not finite or min(finite) <= 0:
        return False
    return math.log10(max(finite) / min(finite)) >= decades


def log_if_decades(axes, axis, values, decades=2.0):
    """Sets a log scale on axes' `axis` ("x" or "y") when the values span decades; returns whether."""
    if not spans_decades(values, decades):
        return False
    (axes.set_xscale if axis == "x" else axes.set_yscale)("log")
    return True


def add_output_arguments(parser, single_file=True):
    """--dpi for every script; --format for scripts that write several files into a directory
    (a single --out FILE takes its format from its extension)."""
    parser.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (default 150)")
    if not single_file:
        parser.add_argument("--format", choices=FORMATS, default="png",
                            help="file format of every figure written (default png)")


def single_figure_main(argv, description, input_name, default_file, make_figure, script, not_input):
    """The command line of a script that turns one input directory into one figure: INPUT_DIR,
    --out FILE (default INPUT_DIR/default_file, format from the extension) and --dpi. A bad --out is
    a usage error (exit 2); an unreadable input prints "script: DIR: not_input: why" and returns 2."""
    import argparse
    import sys

    import matplotlib.pyplot as plt

    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(input_name)
    parser.add_argument("--out", default=None, help="figure to write, .png, .pdf or .svg (default: %s/%s)"
                        % (input_name.upper(), default_file))
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    directory = getattr(args, input_name)
    out = args.out or os.path.join(directory, default_file)
    try:
        output_format(out)
    except ValueError as error:
        parser.error(str(error))
    try:
        fig = make_figure(directory)
    except OSError as error:
        print("%s: %s: %s: %s" % (script, directory, not_input, error), file=sys.stderr)
        return 2
    save(fig, out, dpi=args.dpi)
    plt.close(fig)
    print("wrote " + out)
    return 0
