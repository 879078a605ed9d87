using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// A Celery database result backend URL (<c>db+</c> followed by an SQLAlchemy URL), parsed as SQLAlchemy 1.4
/// parses it (engine/url.py <c>_parse_url</c>): user name and password are URL-unescaped, query options are
/// libpq options. Gives the ADO.NET connection string and a printable form without the password.
/// </summary>
internal sealed partial class ResultBackendUrl
{
    private static readonly Dictionary<string, string> LibpqToNpgsql = new(StringComparer.Ordinal)
    {
        ["sslmode"] = "SSL Mode",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["keepalives_idle"] = "Keepalive",
        ["host"] = "Host",
        ["port"] = "Port",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["client_encoding"] = "Client Encoding",
    };

    private ResultBackendUrl(ResultBackendKind kind, string connectionString, string redacted)
    {
        Kind = kind;
        ConnectionString = connectionString;
        Redacted = redacted;
    }

    public ResultBackendKind Kind { get; }

    /// <summary>ADO.NET connection string (contains the password: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>The URL with the password replaced by <c>***</c>: safe for logs.</summary>
    public string Redacted { get; }

    public override string ToString() => Redacted;

    /// <summary>Parses <c>db+postgresql[+driver]://...</c> or <c>db+sqlite:///path</c>.</summary>
    /// <param name="url">The result backend URL.</param>
    /// <param name="workingDirectory">Base of relative SQLite paths (the current directory when null).</param>
    public static ResultBackendUrl Parse(string url, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (!url.StartsWith("db+", StringComparison.Ordinal))
        {
            throw new FormatException($"A database result backend URL starts with 'db+' (e.g. db+postgresql://user:password@host:5432/name); got '{RedactLoosely(url)}'.");
        }

        var match = SqlAlchemyUrl().Match(url[3..]);
        if (!match.Success)
        {
            throw new FormatException($"Cannot parse the result backend URL '{RedactLoosely(url)}'.");
        }

        var dialect = match.Groups["name"].Value.Split('+')[0];
        return dialect switch
        {
            "postgresql" => ParsePostgres(match),
            "sqlite" => ParseSqlite(match, workingDirectory ?? Directory.GetCurrentDirectory()),
            _ => throw new FormatException($"Result backend database '{dialect}' is not supported; use postgresql or sqlite."),
        };
    }

    private static ResultBackendUrl ParsePostgres(Match match)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var host = match.Groups["ipv6host"].Success ? match.Groups["ipv6host"].Value : match.Groups["ipv4host"].Value;
        if (host.Length > 0)
        {
            builder.Host = host;
        }

        var port = match.Groups["port"].Value;
        if (port.Length > 0)
        {
            builder.Port = int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
                ? number
                : throw new FormatException($"Invalid port '{port}' in the result backend URL.");
        }

        if (match.Groups["username"].Success && match.Groups["username"].Value.Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(match.Groups["username"].Value);
        }

        var hasPassword = match.Groups["password"].Success;
        if (hasPassword)
        {
            builder.Password = Uri.UnescapeDataString(match.Groups["password"].Value);
        }

        var database = match.Groups["database"].Value;
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var (key, value) in ParseQuery(match.Groups["query"].Value))
        {
            if (!LibpqToNpgsql.TryGetValue(key, out var npgsqlKey))
            {
                throw new FormatException($"Result backend URL option '{key}' is not supported; supported: {string.Join(", ", LibpqToNpgsql.Keys)}.");
            }

            builder[npgsqlKey] = npgsqlKey == "SSL Mode" ? SslModeName(value) : value;
        }

        var redacted = "db+" + (hasPassword
            ? match.Value.Remove(match.Groups["password"].Index, match.Groups["password"].Length).Insert(match.Groups["password"].Index, "***")
            : match.Value);
        return new ResultBackendUrl(ResultBackendKind.PostgreSql, builder.ConnectionString, redacted);
    }

    private static ResultBackendUrl ParseSqlite(Match match, string workingDirectory)
    {
        // db+sqlite:///relative.db -> database "relative.db"; db+sqlite:////abs/path.db -> database "/abs/path.db".
        var path = match.Groups["database"].Value;
        if (path.Length == 0 || path == ":memory:")
        {
            throw new FormatException("An in-memory SQLite result backend cannot be shared between connections; give a file path (db+sqlite:///results.db).");
        }

        var fullPath = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(workingDirectory, path));
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new ResultBackendUrl(ResultBackendKind.Sqlite, builder.ConnectionString, "db+" + match.Value);
    }

    private static IEnumerable<(string Key, string Value)> ParseQuery(string query)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            yield return (Unquote(key), Unquote(value));
        }

        static string Unquote(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    private static string SslModeName(string libpqMode) => libpqMode switch
    {
        "disable" => "Disable",
        "allow" => "Allow",
        "prefer" => "Prefer",
        "require" => "Require",
        "verify-ca" => "VerifyCA",
        "verify-full" => "VerifyFull",
        _ => throw new FormatException($"Unknown sslmode '{libpqMode}'."),
    };

    private static string RedactLoosely(string url) => PasswordPart().Replace(url, "$1***@");

    // SQLAlchemy 1.4.46 engine/url.py _parse_url, same groups.
    [GeneratedRegex(@"^(?<name>[\w\+]+)://(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?(?:(?:\[(?<ipv6host>[^/\?]+)\]|(?<ipv4host>[^/:\?]+))?(?::(?<port>[^/\?]*))?)?(?:/(?<database>[^\?]*))?(?:\?(?<query>.*))?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SqlAlchemyUrl();

    [GeneratedRegex(@"(://[^:/@]*:)[^@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPart();
}
