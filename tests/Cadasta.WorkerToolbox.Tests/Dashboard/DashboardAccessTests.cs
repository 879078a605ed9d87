using System.Text;
using Cadasta.WorkerToolbox.Dashboard;
using Microsoft.AspNetCore.Http;

namespace Cadasta.WorkerToolbox.Tests.Dashboard;

/// <summary>Who may read the dashboard: the token (header, ?token= then cookie), basic authentication, or everyone when nothing is set.</summary>
public sealed class DashboardAccessTests
{
    private const string Token = "s3cret-token";

    [Fact]
    public async Task Without_credentials_everyone_is_admitted()
    {
        var access = new DashboardAccess(new DashboardOptions { ResultBackendUrl = "db+sqlite:///x.db" });
        Assert.True(access.IsOpen);
        Assert.True(await access.AdmitAsync(Request()));
    }

    [Fact]
    public async Task A_token_is_needed_in_the_header_or_once_in_the_address_then_in_a_cookie()
    {
        var access = new DashboardAccess(new DashboardOptions { ResultBackendUrl = "db+sqlite:///x.db", BearerToken = Token });

        var anonymous = Request();
        Assert.False(await access.AdmitAsync(anonymous));
        Assert.Equal(401, anonymous.Response.StatusCode);
        Assert.StartsWith("Bearer", anonymous.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, Body(anonymous), StringComparison.Ordinal);

        Assert.False(await access.AdmitAsync(Request(authorization: "Bearer wrong")));
        Assert.True(await access.AdmitAsync(Request(authorization: "Bearer " + Token)));

        var opening = Request(query: "?token=" + Token + "&state=FAILURE");
        Assert.False(await access.AdmitAsync(opening));
        Assert.Equal(303, opening.Response.StatusCode);
        Assert.Equal("/tasks?state=FAILURE", opening.Response.Headers.Location.ToString());
        var setCookie = opening.Response.Headers.SetCookie.ToString();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];

        Assert.True(await access.AdmitAsync(Request(cookie: cookie)));
        Assert.False(await access.AdmitAsync(Request(cookie: DashboardAccess.CookieName + "=0123")));
        Assert.False(await access.AdmitAsync(Request(query: "?token=wrong")));
    }

    [Fact]
    public async Task Basic_authentication_needs_the_right_user_and_password()
    {
        var access = new DashboardAccess(new DashboardOptions { ResultBackendUrl = "db+sqlite:///x.db", BasicAuthUser = "ops", BasicAuthPassword = "pa:ss" });
        static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

        Assert.True(await access.AdmitAsync(Request(authorization: Basic("ops:pa:ss"))));
        var wrong = Request(authorization: Basic("ops:nope"));
        Assert.False(await access.AdmitAsync(wrong));
        Assert.Equal(401, wrong.Response.StatusCode);
        Assert.StartsWith("Basic realm=", wrong.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(await access.AdmitAsync(Request(authorization: "Basic !!notbase64")));
        Assert.False(await access.AdmitAsync(Request(authorization: "Bearer ops:pa:ss")));
    }

    private static DefaultHttpContext Request(string? authorization = null, string query = "", string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/tasks";
        context.Request.QueryString = new QueryString(query);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(DefaultHttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
