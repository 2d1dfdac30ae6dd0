using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>
    /// Lets -Encoding take the names PowerShell 7 users know (utf8, utf8BOM, utf8NoBOM, unicode, bigendianunicode,
    /// utf32, ascii, latin1, oem, default), a code page number or a .NET encoding name, on 5.1 and 7.x alike.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
    {
        internal static readonly string[] Names = { "utf8", "utf8BOM", "utf8NoBOM", "unicode", "bigendianunicode", "utf32", "ascii", "latin1", "oem", "default" };

        /// <inheritdoc />
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject psObject ? psObject.BaseObject : inputData;
            switch (value)
            {
                case Encoding encoding:
                    return encoding;
                case int codePage:
                    return Encoding.GetEncoding(codePage);
                case string name:
                    return FromName(name);
                default:
                    throw new ArgumentTransformationMetadataException($"'{value}' is not an encoding. Use one of {string.Join(", ", Names)}, a code page number or an encoding name.");
            }
        }

        internal static Encoding FromName(string name)
        {
            switch (name.ToUpperInvariant())
            {
                case "UTF8":
                case "UTF8NOBOM":
                case "DEFAULT":
                    return new UTF8Encoding(false);
                case "UTF8BOM":
                    return new UTF8Encoding(true);
                case "UNICODE":
                    return Encoding.Unicode;
                case "BIGENDIANUNICODE":
                    return Encoding.BigEndianUnicode;
                case "UTF32":
                    return Encoding.UTF32;
                case "ASCII":
                    return Encoding.ASCII;
                case "LATIN1":
                    return Encoding.GetEncoding(28591);
                case "OEM":
                    return Encoding.GetEncoding(CultureInfo.CurrentCulture.TextInfo.OEMCodePage);
            }

            try
            {
                return int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int codePage) ? Encoding.GetEncoding(codePage) : Encoding.GetEncoding(name);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                throw new ArgumentTransformationMetadataException($"'{name}' is not an encoding. Use one of {string.Join(", ", Names)}, a code page number or an encoding name.", ex);
            }
        }
    }
}
