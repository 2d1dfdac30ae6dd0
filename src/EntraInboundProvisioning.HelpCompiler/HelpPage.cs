using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace EntraInboundProvisioning.HelpCompiler
{
    /// <summary>One parameter of a help page, from its '### -Name' section and YAML block.</summary>
    internal sealed record HelpParameter(string Name, string Description, string Type, IReadOnlyList<string> ParameterSets, IReadOnlyList<string> Aliases, bool Required, string Position, string DefaultValue, string PipelineInput, bool Wildcards, IReadOnlyList<string> AcceptedValues);

    /// <summary>One example: a title, the code, and the remarks after it.</summary>
    internal sealed record HelpExample(string Title, string Code, string Remarks);

    /// <summary>A type listed under INPUTS or OUTPUTS, with its description.</summary>
    internal sealed record HelpType(string Name, string Description);

    /// <summary>A cmdlet help page in the platyPS markdown layout.</summary>
    internal sealed class HelpPage
    {
        private static readonly Regex Heading2 = new Regex(@"^## (?<name>.+)$", RegexOptions.Multiline);

        public string Name { get; private set; } = string.Empty;

        public string Synopsis { get; private set; } = string.Empty;

        public string Description { get; private set; } = string.Empty;

        public List<HelpExample> Examples { get; } = new List<HelpExample>();

        public List<HelpParameter> Parameters { get; } = new List<HelpParameter>();

        public List<HelpType> Inputs { get; } = new List<HelpType>();

        public List<HelpType> Outputs { get; } = new List<HelpType>();

        public string Notes { get; private set; } = string.Empty;

        public List<string> RelatedLinks { get; } = new List<string>();

        /// <summary>Parses a page; throws <see cref="FormatException"/> naming the file and what is missing.</summary>
        public static HelpPage Parse(string path) => Parse(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), path);

        public static HelpPage Parse(string text, string source)
        {
            var page = new HelpPage();
            Match title = Regex.Match(text, @"^# (?<name>[A-Za-z]+-[A-Za-z]+)\s*$", RegexOptions.Multiline);
            if (!title.Success)
            {
                throw new FormatException($"{source}: no '# Verb-Noun' title.");
            }

            page.Name = title.Groups["name"].Value;
            Dictionary<string, string> sections = Sections(text);
            page.Synopsis = Prose(Required(sections, "SYNOPSIS", source));
            page.Description = Required(sections, "DESCRIPTION", source).Trim();
            if (page.Synopsis.Length == 0 || page.Description.Length == 0)
            {
                throw new FormatException($"{source}: SYNOPSIS and DESCRIPTION must not be empty.");
            }

            foreach ((string heading, string body) in Subsections(Required(sections, "EXAMPLES", source)))
            {
                Match code = Regex.Match(body, @"```(?:powershell)?\n(?<code>.*?)\n```", RegexOptions.Singleline);
                if (!code.Success)
                {
                    throw new FormatException($"{source}: example '{heading}' has no code block.");
                }

                string remarks = (body.Substring(0, code.Index) + body.Substring(code.Index + code.Length)).Trim();
                page.Examples.Add(new HelpExample(heading, code.Groups["code"].Value, remarks));
            }

            foreach ((string heading, string body) in Subsections(Required(sections, "PARAMETERS", source)))
            {
                if (heading == "CommonParameters")
                {
                    continue;
                }

                if (!heading.StartsWith('-'))
                {
                    throw new FormatException($"{source}: parameter heading '{heading}' must start with '-'.");
                }

                Match yaml = Regex.Match(body, @"```yaml\n(?<yaml>.*?)\n```", RegexOptions.Singleline);
                if (!yaml.Success)
                {
                    throw new FormatException($"{source}: parameter {heading} has no yaml block.");
                }

                Dictionary<string, string> fields = yaml.Groups["yaml"].Value.Split('\n')
                    .Select(l => l.Split(new[] { ':' }, 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                string Field(string name) => fields.TryGetValue(name, out string? v) ? v : string.Empty;
                static IReadOnlyList<string> List(string value) => value.Length == 0 ? Array.Empty<string>() : value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
                page.Parameters.Add(new HelpParameter(
                    heading.Substring(1),
                    body.Substring(0, yaml.Index).Trim(),
                    Field("Type"),
                    List(Field("Parameter Sets")),
                    List(Field("Aliases")),
                    string.Equals(Field("Required"), "True", StringComparison.OrdinalIgnoreCase),
                    Field("Position"),
                    Field("Default value"),
                    Field("Accept pipeline input"),
                    string.Equals(Field("Accept wildcard characters"), "True", StringComparison.OrdinalIgnoreCase),
                    List(Field("Accepted values"))));
            }

            if (sections.TryGetValue("INPUTS", out string? inputs))
            {
                page.Inputs.AddRange(Subsections(inputs).Select(s => new HelpType(s.Heading, s.Body.Trim())));
            }

            if (sections.TryGetValue("OUTPUTS", out string? outputs))
            {
                page.Outputs.AddRange(Subsections(outputs).Select(s => new HelpType(s.Heading, s.Body.Trim())));
            }

            page.Notes = sections.TryGetValue("NOTES", out string? notes) ? notes.Trim() : string.Empty;
            if (sections.TryGetValue("RELATED LINKS", out string? links))
            {
                page.RelatedLinks.AddRange(Regex.Matches(links, @"\[(?<text>[^\]]+)\]").Select(m => m.Groups["text"].Value));
            }

            return page;
        }

        /// <summary>Markdown to the plain text help shows: code fences and emphasis markers removed.</summary>
        internal static string Prose(string markdown) => Regex.Replace(markdown.Replace("```powershell", string.Empty, StringComparison.Ordinal).Replace("```", string.Empty, StringComparison.Ordinal), @"(?<!\w)[`*](?=\S)|(?<=\S)[`*](?!\w)", string.Empty).Trim();

        private static string Required(Dictionary<string, string> sections, string name, string source)
            => sections.TryGetValue(name, out string? body) ? body : throw new FormatException($"{source}: no '## {name}' section.");

        private static Dictionary<string, string> Sections(string text)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            MatchCollection headings = Heading2.Matches(text);
            for (int i = 0; i < headings.Count; i++)
            {
                int start = headings[i].Index + headings[i].Length;
                int end = i + 1 < headings.Count ? headings[i + 1].Index : text.Length;
                result[headings[i].Groups["name"].Value.Trim()] = text.Substring(start, end - start);
            }

            return result;
        }

        private static IEnumerable<(string Heading, string Body)> Subsections(string text)
        {
            MatchCollection headings = Regex.Matches(text, @"^### (?<name>.+)$", RegexOptions.Multiline);
            for (int i = 0; i < headings.Count; i++)
            {
                int start = headings[i].Index + headings[i].Length;
                int end = i + 1 < headings.Count ? headings[i + 1].Index : text.Length;
                string heading = headings[i].Groups["name"].Value.Trim();
                if (heading.StartsWith("Example", StringComparison.OrdinalIgnoreCase))
                {
                    heading = heading.Split(new[] { ':' }, 2).Last().Trim();
                }

                yield return (heading, text.Substring(start, end - start));
            }
        }
    }
}
