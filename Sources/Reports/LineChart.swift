/// A line chart of named (x, y) series, rendered as a standalone SVG document by ``svg()``.
///
/// Each series gets its own colour from a colour-blind-safe palette (Okabe–Ito), its own marker
/// shape and its own dash pattern, so the chart also reads when printed in grey. The legend sits to
/// the right of the plot area and never covers data.
///
/// ```swift
/// var chart = LineChart(
///   title: "Accuracy vs. sequence length",
///   xAxis: .init(label: "sequence length", scale: .log10, ticks: [256, 1024, 4096, 16384]),
///   yAxis: .init(label: "accuracy", range: 0...1))
/// chart.series.append(.init(name: "S4D", points: [(256, 0.99), (1024, 0.98), (4096, 0.97)]))
/// try writeAtomically(try chart.svg(), to: url)
/// ```
///
/// Data rules:
/// - Points are joined in the order given (sort them by x first for the usual chart).
/// - A point with a NaN or infinite coordinate is skipped and breaks its line: the series is drawn as
///   one polyline per maximal run of finite points. Non-finite numbers never reach the SVG.
/// - On a ``Scale/log10`` axis a finite value ≤ 0 (in data, range or ticks) is an error,
///   ``ReportError/nonPositiveOnLogAxis(axis:series:value:)``, rather than being dropped silently.
/// - With an explicit ``Axis/range`` the data outside it is clipped at the plot area's edge.
/// - No series, or no finite point in any series, is ``ReportError/noSeries`` or
///   ``ReportError/noFiniteData``.
public struct LineChart: Sendable {
  /// How data values map to positions along an axis.
  public enum Scale: Sendable, Hashable {
    /// Positions proportional to the value; ticks at 1-2-5 steps.
    case linear
    /// Positions proportional to the base-10 logarithm of the value; ticks at powers of ten.
    case log10
  }

  /// One axis: its label, scale, optional fixed range and optional fixed tick values.
  public struct Axis: Sendable {
    /// The axis title shown beside the axis; may be empty.
    public var label: String
    /// The axis scale.
    public var scale: Scale
    /// The drawn range. When `nil` the range covers the data, extended to nice tick values
    /// (1-2-5 steps on linear axes, 1-2-5 multiples of powers of ten on log axes).
    public var range: ClosedRange<Double>?
    /// Tick values to use instead of the generated ones (for example the sequence lengths that were
    /// run). Ticks outside the drawn range are ignored; when ``range`` is `nil` the range is the
    /// span of the data and these ticks, plus a 3% margin at each end (in the scale's coordinates).
    public var ticks: [Double]?

    /// Creates an axis.
    ///
    /// - Parameters:
    ///   - label: The axis title.
    ///   - scale: ``Scale/linear`` (default) or ``Scale/log10``.
    ///   - range: A fixed range such as `0...1` for accuracy, or `nil` to fit the data.
    ///   - ticks: Fixed tick values, or `nil` to generate nice ones.
    public init(label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil, ticks: [Double]? = nil) {
      self.label = label
      self.scale = scale
      self.range = range
      self.ticks = ticks
    }
  }

  /// One data point.
  public struct Point: Sendable, Hashable {
    /// The horizontal coordinate.
    public var x: Double
    /// The vertical coordinate.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
      self.x = x
      self.y = y
    }
  }

  /// How a series is drawn: joined by lines, as markers, or both.
  public enum Mark: Sendable, Hashable {
    /// A line through the points with a marker at each point (the default).
    case lineAndMarkers
    /// A line only, no markers: for long, densely sampled series such as signals and kernels.
    case line
    /// Markers only, no line: a scatter plot (eigenvalues in the complex plane, samples of a
    /// recurrence laid over the curve of a convolution).
    case markers

    /// Whether the points are joined by a line.
    var drawsLine: Bool { self != .markers }
    /// Whether a marker is drawn at each point.
    var drawsMarkers: Bool { self != .line }
  }

  /// A named sequence of points drawn as one line with markers (or, with ``mark``, as a line only
  /// or as markers only).
  public struct Series: Sendable {
    /// The name shown in the legend.
    public var name: String
    /// The points, joined in this order.
    public var points: [Point]
    /// How the series is drawn; the legend shows the same marks.
    public var mark: Mark

    /// Creates a series from points.
    public init(name: String, points: [Point], mark: Mark = .lineAndMarkers) {
      self.name = name
      self.points = points
      self.mark = mark
    }

    /// Creates a series from `(x, y)` tuples.
    ///
    /// Disfavoured so that an empty literal, `points: []`, picks the `[Point]` initializer.
    @_disfavoredOverload
    public init(name: String, points: [(x: Double, y: Double)], mark: Mark = .lineAndMarkers) {
      self.init(name: name, points: points.map { Point(x: $0.x, y: $0.y) }, mark: mark)
    }

    /// Creates a series from parallel arrays; extra elements of the longer array are ignored.
    public init(name: String, x: [Double], y: [Double], mark: Mark = .lineAndMarkers) {
      self.init(name: name, points: zip(x, y).map { Point(x: $0, y: $1) }, mark: mark)
    }
  }

  /// The chart title, drawn above the plot and used as the SVG `<title>`.
  public var title: String
  /// The accessible description (the SVG `<desc>`). When `nil` a summary of the axes and series is
  /// generated.
  public var summary: String?
  /// The horizontal axis.
  public var xAxis: Axis
  /// The vertical axis.
  public var yAxis: Axis
  /// The series, in legend order.
  public var series: [Series]
  /// The canvas width in pixels.
  public var width: Double
  /// The canvas height in pixels.
  public var height: Double

  /// Creates a chart.
  ///
  /// - Parameters:
  ///   - title: The chart title.
  ///   - xAxis: The horizontal axis.
  ///   - yAxis: The vertical axis.
  ///   - series: The series, in legend order; more can be appended to ``series`` later.
  ///   - summary: The accessible description, or `nil` to generate one.
  ///   - width: The canvas width in pixels (default 760).
  ///   - height: The canvas height in pixels (default 440).
  public init(
    title: String, xAxis: Axis, yAxis: Axis, series: [Series] = [], summary: String? = nil,
    width: Double = 760, height: Double = 440
  ) {
    self.title = title
    self.xAxis = xAxis
    self.yAxis = yAxis
    self.series = series
    self.summary = summary
    self.width = width
    self.height = height
  }
}
