namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>Why a text is not a Python literal; <see cref="ConfigResolver"/> turns it into a <see cref="ConfigurationException"/>.</summary>
internal sealed class PythonLiteralException : Exception
{
    public PythonLiteralException()
    {
    }

    public PythonLiteralException(string message)
        : base(message)
    {
    }

    public PythonLiteralException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
