using System;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// One source of a run: a mapping, the name a run state keeps for the workers it brings (employees, contractors),
    /// and which of the records read belong to it. Several sources of one provisioning job go through one run and one
    /// state, so a worker who moves from one to another is a mover, never a leaver.
    /// </summary>
    public sealed class ConversionSource
    {
        /// <summary>Creates a source.</summary>
        public ConversionSource(AttributeMapping mapping, string? name = null, Func<IRecord, bool>? where = null)
        {
            Mapping = mapping ?? throw new ArgumentNullException(nameof(mapping));
            Name = string.IsNullOrWhiteSpace(name) ? DefaultName(mapping) : name!.Trim();
            Where = where;
        }

        /// <summary>The mapping.</summary>
        public AttributeMapping Mapping { get; }

        /// <summary>The source's name: given, or the mapping file's name without extension, or null for an inline mapping.</summary>
        public string? Name { get; }

        /// <summary>Which records belong to the source; every record read for it when null.</summary>
        public Func<IRecord, bool>? Where { get; }

        private static string? DefaultName(AttributeMapping mapping)
            => mapping.Source is string file ? System.IO.Path.GetFileNameWithoutExtension(file) : null;

        /// <inheritdoc />
        public override string ToString() => Name ?? "(inline mapping)";
    }
}
