using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// Who may read the dashboard: everyone when no credentials are set; otherwise a request with the bearer token
/// (header, or the cookie set after opening a page with <c>?token=</c>) or with the basic-authentication user and
/// password. Secrets are compared in constant time and never echoed or logged; the cookie holds a hash of the token.
/// </summary>
internal sealed class DashboardAccess
{
    public const string CookieName = "cadasta_dashboard";
    public const string TokenParameter = "token";

    private readonly byte[]? _tokenHash;
    private readonly string? _cookieValue;
    private readonly byte[]? _basicHash;

    public DashboardAccess(DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            _tokenHash = Hash(options.BearerToken);
            _cookieValue = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("cadasta-dashboard-cookie:" + options.BearerToken)));
        }

        if (!string.IsNullOrEmpty(options.BasicAuthUser) && !string.IsNullOrEmpty(options.BasicAuthPassword))
        {
            _basicHash = Hash(options.BasicAuthUser + ":" + options.BasicAuthPassword);
        }
    }

    public bool IsOpen => _tokenHash is null && _basicHash is null;

    /// <summary>Lets the request through (true) or writes the refusal or the token-to-cookie redirect (false).</summary>
    public async Task<bool> AdmitAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsOpen)
        {
            return true;
        }

        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (_tokenHash is not null)
        {
            if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(_tokenHash, authorization[7..].Trim()))
            {
                return true;
            }

            if (request.Cookies.TryGetValue(CookieName, out var cookie) && _cookieValue is not null
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(_cookieValue)))
            {
                return true;
            }

            if (request.Query.TryGetValue(TokenParameter, out var offered) && Matches(_tokenHash, offered.ToString()))
            {
                // The token leaves the address bar (and the history) at once; the browser keeps a cookie instead.
                context.Response.Cookies.Append(CookieName, _cookieValue!, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = request.IsHttps,
                    Path = "/",
                });
                var query = QueryString.Create(request.Query.Where(pair => pair.Key != TokenParameter).SelectMany(pair => pair.Value.Select(value => new KeyValuePair<string, string?>(pair.Key, value))));
                context.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.Response.Headers.Location = request.PathBase + request.Path + query;
                return false;
            }
        }

        if (_basicHash is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            }
            catch (FormatException)
            {
                decoded = string.Empty;
            }

            if (Matches(_basicHash, decoded))
            {
                return true;
            }
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (_basicHash is not null)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Cadasta dashboard\", charset=\"UTF-8\"";
        }
        else
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"Cadasta dashboard\"";
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            _tokenHash is not null
                ? "This dashboard needs its access token: send 'Authorization: Bearer TOKEN', or open it once as /?token=TOKEN.\n"
                : "This dashboard needs its user name and password.\n",
            context.RequestAborted).ConfigureAwait(false);
        return false;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    // Hashing first makes the comparison constant-time whatever the lengths.
    private static bool Matches(byte[] expectedHash, string offered) =>
        CryptographicOperations.FixedTimeEquals(expectedHash, Hash(offered));
}
