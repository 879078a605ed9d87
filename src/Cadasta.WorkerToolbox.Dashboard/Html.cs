using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// Builds a page: <see cref="Raw"/> takes only markup written in this assembly; everything else (task names,
/// ids, arguments, results, messages) goes through <see cref="Text"/> or <see cref="Attribute"/>, which
/// HTML-encode it, so a value can never become markup.
/// </summary>
internal sealed class Html
{
    // Letters of every script stay readable; markup characters (< > & " ' and the like) are always encoded.
    internal static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _markup = new();

    /// <summary>Appends markup from this assembly's own code (never a value from the database or the request).</summary>
    public Html Raw(string markup)
    {
        _markup.Append(markup);
        return this;
    }

    /// <summary>Appends a value as text.</summary>
    public Html Text(string? value)
    {
        if (value is not null)
        {
            _markup.Append(Encoder.Encode(value));
        }

        return this;
    }

    /// <summary>Appends <c> name="value"</c> with the value encoded.</summary>
    public Html Attribute(string name, string? value)
    {
        _markup.Append(' ').Append(name).Append("=\"").Append(Encoder.Encode(value ?? string.Empty)).Append('"');
        return this;
    }

    /// <summary>Appends <c>&lt;tag class="..."&gt;text&lt;/tag&gt;</c>.</summary>
    public Html Element(string tag, string? text, string? cssClass = null)
    {
        _markup.Append('<').Append(tag);
        if (cssClass is not null)
        {
            Attribute("class", cssClass);
        }

        _markup.Append('>');
        Text(text);
        _markup.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>Appends a link with encoded address and text.</summary>
    public Html Link(string href, string? text, string? cssClass = null)
    {
        _markup.Append("<a");
        Attribute("href", href);
        if (cssClass is not null)
        {
            Attribute("class", cssClass);
        }

        _markup.Append('>');
        Text(text);
        _markup.Append("</a>");
        return this;
    }

    public override string ToString() => _markup.ToString();
}
