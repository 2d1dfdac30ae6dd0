using System;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// Loads a PEM file holding a certificate and its unencrypted private key. The API for it
    /// (X509Certificate2.CreateFromPemFile) exists on .NET 5 and later only, so it is reached by reflection:
    /// PowerShell 7 has it, Windows PowerShell 5.1 does not (use a PFX there).
    /// </summary>
    internal static class PemCertificate
    {
        public static X509Certificate2 LoadFile(string path, bool hasPassword)
        {
            if (hasPassword)
            {
                throw new NotSupportedException("Password-protected PEM files are not supported; export the certificate and key as a PFX file instead.");
            }

            MethodInfo? create = typeof(X509Certificate2).GetMethod("CreateFromPemFile", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null);
            if (create is null)
            {
                throw new NotSupportedException("PEM certificates need PowerShell 7; on Windows PowerShell 5.1 use a PFX file.");
            }

            try
            {
                var certificate = (X509Certificate2)create.Invoke(null, new object?[] { path, null })!;
                // On Windows an ephemeral PEM key cannot sign for TLS/JWT until it is round-tripped through PKCS#12.
                return new X509Certificate2(certificate.Export(X509ContentType.Pkcs12));
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }
        }
    }
}
