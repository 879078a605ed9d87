using System.Collections.ObjectModel;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Resolves every setting and variable of a <see cref="Config"/> in the original toolbox's order
/// (<c>cadasta/workertoolbox/conf.py</c>, <c>Config.__init__</c>): values given in code win, then
/// the prefixed environment variable, then the default; afterwards every other prefixed variable
/// becomes a text setting, and finally <c>result_backend</c> is rendered as a template.
/// </summary>
internal sealed class ConfigResolver
{
    private const string DefaultEnvPrefix = "CELERY_";
    private const string EnvPrefixVariable = "CELERY_ENV_PREFIX";
    private const string SentryDsnVariable = "SENTRY_DSN";

    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _environment;
    private string _prefix = DefaultEnvPrefix;

    private ConfigResolver(IReadOnlyDictionary<string, string> environment) => _environment = environment;

    /// <summary>All settings and variables, by name.</summary>
    /// <exception cref="ConfigurationException">A value is not usable.</exception>
    public static Dictionary<string, object?> Resolve(
        IReadOnlyDictionary<string, object?> code, IReadOnlyDictionary<string, string> environment)
    {
        var resolver = new ConfigResolver(environment);
        resolver.TakeCodeValues(code);
        resolver.ResolveToolboxValues();
        foreach (var (name, type, defaultValue) in SettingCatalog.CelerySettings)
        {
            resolver.Set(name, defaultValue, type);
        }

        resolver.TakeOtherEnvironmentVariables();
        resolver.RenderResultBackend();
        return resolver._values;
    }

    private void TakeCodeValues(IReadOnlyDictionary<string, object?> code)
    {
        foreach (var (name, given) in code)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ConfigurationException("A setting given in code has an empty name.");
            }

            object? value;
            try
            {
                value = ValueNormalizer.Normalize(given);
            }
            catch (ArgumentException e)
            {
                throw new ConfigurationException($"Setting '{name}' given in code cannot be used: {e.Message}.", name, "dict", e);
            }

            CheckCodeValue(name, value);
            _values[name] = value;
        }
    }

    private static void CheckCodeValue(string name, object? value)
    {
        if (name == SettingCatalog.TaskQueues)
        {
            if (value is not IReadOnlyList<QueueDeclaration>)
            {
                throw CodeTypeError(name, value, "list of QueueDeclaration");
            }

            return;
        }

        if (name == SettingCatalog.TaskRoutes)
        {
            if (value is not (ITaskRouter or IReadOnlyList<ITaskRouter>))
            {
                throw CodeTypeError(name, value, "ITaskRouter or list of ITaskRouter");
            }

            return;
        }

        var type = TypeOf(name);
        if (type is not null && !type.Accepts(value))
        {
            throw CodeTypeError(name, value, type.PythonName);
        }
    }

    private static ConfigurationException CodeTypeError(string name, object? value, string expected) => new(
        $"Setting '{name}' given in code has the value {Printable(name, value)}, a {PythonRepr.TypeName(value)}, but the expected type is {expected}.",
        name,
        expected);

    private static SettingType? TypeOf(string name) =>
        SettingCatalog.ToolboxTypes.GetValueOrDefault(name)
        ?? SettingCatalog.CelerySettings.Where(s => s.Name == name).Select(s => s.Type).FirstOrDefault();

    private void ResolveToolboxValues()
    {
        _prefix = _values.TryGetValue(SettingCatalog.EnvPrefix, out var prefix)
            ? (string)prefix!
            : _environment.GetValueOrDefault(EnvPrefixVariable) ?? DefaultEnvPrefix;
        _values[SettingCatalog.EnvPrefix] = _prefix;

        var queuePrefix = PythonRepr.Str(Set(SettingCatalog.QueuePrefix, "dev"));
        Set(SettingCatalog.BrokerTransport, "sqs");
        Set(SettingCatalog.BrokerTransportOptions, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["region"] = "us-west-2",
            ["queue_name_prefix"] = queuePrefix + "-",
            ["wait_time_seconds"] = 20L, // SQS long polling
            ["visibility_timeout"] = 20L, // seconds a received message stays hidden while unacknowledged
            ["interval_start"] = 0L, // retry a failed connection at once...
            ["max_retries"] = 1L, // ...but only once, so a dead broker is reported quickly
        });
        Set(SettingCatalog.TaskTrackStarted, true);
        if ((bool)Set(SettingCatalog.SetupFileLogging, false)!)
        {
            Set(SettingCatalog.WorkerHijackRootLogger, false);
        }

        var sentryDsn = _environment.GetValueOrDefault(SentryDsnVariable);
        if ((bool)Set(SettingCatalog.SetupSentryLogging, !string.IsNullOrEmpty(sentryDsn))! && string.IsNullOrEmpty(sentryDsn))
        {
            throw new ConfigurationException(
                $"{SettingCatalog.SetupSentryLogging} is true but the environment variable {SentryDsnVariable} is not set.",
                SettingCatalog.SetupSentryLogging,
                null);
        }

        Set(SettingCatalog.ResultDbUser, "worker");
        Set(SettingCatalog.ResultDbPass, "cadasta");
        Set(SettingCatalog.ResultDbHost, "localhost");
        Set(SettingCatalog.ResultDbName, "cadasta");
        Set(SettingCatalog.ResultDbPort, "5432");
        Set(SettingCatalog.ResultBackend, SettingCatalog.ResultBackendTemplate);

        var exchange = new ExchangeDeclaration(
            (string)Set(SettingCatalog.TaskDefaultExchange, "task_exchange")!,
            (string)Set(SettingCatalog.TaskDefaultExchangeType, ExchangeDeclaration.Topic)!);
        if (!_values.ContainsKey(SettingCatalog.TaskRoutes))
        {
            _values[SettingCatalog.TaskRoutes] = new FirstSegmentRouter(exchange.Name); // never from the environment
        }

        var queues = (IReadOnlyList<object?>)Set(SettingCatalog.Queues, new PythonTuple(["msg", "export"]))!;
        var platformQueue = (string)Set(SettingCatalog.PlatformQueueName, "platform.fifo")!;
        if (!_values.ContainsKey(SettingCatalog.TaskQueues))
        {
            _values[SettingCatalog.TaskQueues] = GenerateQueues(queues.Cast<string>(), exchange, platformQueue);
        }

        Set(SettingCatalog.Imports, new PythonTuple(["app.tasks"]));
        Set(SettingCatalog.ChordUnlockMaxRetries, 60L * 60 * 6); // six hours of one-second polls
        Set(SettingCatalog.WorkerHijackRootLogger, true);
        ResolveHostileInputLimits();
    }

    // The toolbox's own defences against bad messages (docs/reliability.md, "Hostile input").
    private void ResolveHostileInputLimits()
    {
        var deadLetter = (string?)Set(SettingCatalog.DeadLetterQueue, "{queue}.dead");
        if (deadLetter is not null && deadLetter.Length > 0 && deadLetter.Trim().Length == 0)
        {
            throw new ConfigurationException(
                $"{SettingCatalog.DeadLetterQueue} is blank; give a queue name (\"{{queue}}\" stands for the queue the message came from), or an empty value (None in code) to turn dead-lettering off.",
                SettingCatalog.DeadLetterQueue,
                "str");
        }

        RequireRange(SettingCatalog.MaxDeliveries, Set(SettingCatalog.MaxDeliveries, 10L), 1, 1_000_000);
        RequireRange(SettingCatalog.MaxMessageBytes, Set(SettingCatalog.MaxMessageBytes, 1024L * 1024), 1024, int.MaxValue);
        RequireRange(SettingCatalog.MaxJsonDepth, Set(SettingCatalog.MaxJsonDepth, 64L), 3, 512);
    }

    private static void RequireRange(string name, object? value, long minimum, long maximum)
    {
        if (value is not long number || number < minimum || number > maximum)
        {
            throw new ConfigurationException(
                $"{name} is {PythonRepr.Repr(value)}; it must be an integer from {minimum} to {maximum}.", name, "int");
        }
    }

    // celery (rk celery), the platform queue (rk #), then one queue per QUEUES entry bound by its
    // own name — a set in the original, so identical declarations collapse into one.
    private static ReadOnlyCollection<QueueDeclaration> GenerateQueues(
        IEnumerable<string> queues, ExchangeDeclaration exchange, string platformQueue)
    {
        var declarations = new List<QueueDeclaration>();
        var candidates = new[] { ("celery", "celery"), (platformQueue, "#") }.Concat(queues.Select(q => (q, q)));
        foreach (var (name, routingKey) in candidates)
        {
            var declaration = new QueueDeclaration(name, exchange, routingKey);
            var known = declarations.Find(d => d.Name == name);
            if (known == declaration)
            {
                continue;
            }

            if (known is not null)
            {
                throw new ConfigurationException(
                    $"Queue '{name}' would be declared twice, with routing keys '{known.RoutingKey}' and '{routingKey}'; remove it from {SettingCatalog.Queues}.",
                    SettingCatalog.Queues,
                    null);
            }

            declarations.Add(declaration);
        }

        return declarations.AsReadOnly();
    }

    // The original's Config.set: a value given in code wins, then the prefixed environment
    // variable (a Python literal unless the type is text), then the default.
    private object? Set(string name, object? defaultValue, SettingType? type = null)
    {
        if (_values.TryGetValue(name, out var existing))
        {
            return existing;
        }

        type ??= TypeOf(name) ?? SettingType.Any;
        var variable = _prefix + name.ToUpperInvariant();
        var value = _environment.TryGetValue(variable, out var raw)
            ? FromEnvironment(variable, raw, type)
            : ValueNormalizer.Normalize(defaultValue);
        _values[name] = value;
        return value;
    }

    private static object? FromEnvironment(string variable, string raw, SettingType type)
    {
        object? value = raw;
        if (type.ParseFromEnvironment)
        {
            try
            {
                value = ValueNormalizer.Normalize(PythonLiteralParser.Parse(raw));
            }
            catch (PythonLiteralException e)
            {
                // The parser's detail may quote part of the value: leave it out when the value holds a secret.
                var printable = PrintableText(variable, raw);
                var detail = printable == PythonRepr.Repr(raw) ? $": {e.Message}" : string.Empty;
                throw new ConfigurationException(
                    $"Environment variable {variable} has the value {printable}, which is not a Python literal of the expected type {type.PythonName}{detail}.",
                    variable,
                    type.PythonName,
                    e);
            }
        }

        if (!type.Accepts(value))
        {
            throw new ConfigurationException(
                $"Environment variable {variable} has the value {PrintableText(variable, raw)}, a {PythonRepr.TypeName(value)}, but the expected type is {type.PythonName}.",
                variable,
                type.PythonName);
        }

        return value;
    }

    // Every other variable with the prefix becomes a text setting, unless the setting or its
    // uppercase variable already has a value (so FOO given in code hides CELERY_FOO).
    private void TakeOtherEnvironmentVariables()
    {
        foreach (var (variable, raw) in _environment.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!variable.StartsWith(_prefix, StringComparison.Ordinal) || variable.Length == _prefix.Length)
            {
                continue;
            }

            var name = variable[_prefix.Length..].ToLowerInvariant();
            if (_values.ContainsKey(name) || _values.ContainsKey(name.ToUpperInvariant())
                || SettingCatalog.IgnoredEnvironmentKeys.Contains(name))
            {
                continue;
            }

            _values[name] = raw;
        }
    }

    private void RenderResultBackend()
    {
        if (_values[SettingCatalog.ResultBackend] is not string template)
        {
            return;
        }

        _values[SettingCatalog.ResultBackend] = ResultBackendTemplate.TryRender(template, _values)
            ?? throw new ConfigurationException(
                $"Unable to render '{SettingCatalog.ResultBackend}' value: {PythonRepr.Repr(SecretMasker.MaskUrlPasswords(template))}",
                SettingCatalog.ResultBackend,
                null);
    }

    private static string Printable(string name, object? value) => PythonRepr.Repr(SecretMasker.MaskValue(name, value));

    private static string PrintableText(string variable, string raw) => SettingCatalog.IsSecretName(variable)
        ? PythonRepr.Repr(SecretMasker.Mask)
        : PythonRepr.Repr(SecretMasker.MaskText(raw));
}
