using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace EntraInboundProvisioning.HelpCompiler
{
    /// <summary>Writes help pages as one MAML document (the format Get-Help reads for compiled cmdlets).</summary>
    internal static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        public static XDocument Write(IEnumerable<HelpPage> pages)
        {
            return new XDocument(
                new XDeclaration("1.0", "utf-8", null),
                new XElement(
                    Msh + "helpItems",
                    new XAttribute("schema", "maml"),
                    new XAttribute(XNamespace.Xmlns + "maml", Maml),
                    new XAttribute(XNamespace.Xmlns + "command", Command),
                    new XAttribute(XNamespace.Xmlns + "dev", Dev),
                    pages.OrderBy(p => p.Name, StringComparer.Ordinal).Select(CommandElement)));
        }

        private static XElement CommandElement(HelpPage page)
        {
            string[] verbNoun = page.Name.Split('-');
            return new XElement(
                Command + "command",
                new XElement(
                    Command + "details",
                    new XElement(Command + "name", page.Name),
                    new XElement(Command + "verb", verbNoun[0]),
                    new XElement(Command + "noun", verbNoun[1]),
                    new XElement(Maml + "description", Paragraphs(page.Synopsis))),
                new XElement(Maml + "description", Paragraphs(HelpPage.Prose(page.Description))),
                new XElement(Command + "syntax", SyntaxItems(page)),
                new XElement(Command + "parameters", page.Parameters.Select(p => Parameter(p, null))),
                new XElement(Command + "inputTypes", page.Inputs.Select(TypeElement(Command + "inputType"))),
                new XElement(Command + "returnValues", page.Outputs.Select(TypeElement(Command + "returnValue"))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(HelpPage.Prose(page.Notes)))),
                new XElement(
                    Command + "examples",
                    page.Examples.Select((e, i) => new XElement(
                        Command + "example",
                        new XElement(Maml + "title", $"--------- Example {i + 1}: {e.Title} ---------"),
                        new XElement(Dev + "code", e.Code),
                        new XElement(Dev + "remarks", Paragraphs(HelpPage.Prose(e.Remarks)))))),
                new XElement(
                    Maml + "relatedLinks",
                    page.RelatedLinks.Select(l => new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l), new XElement(Maml + "uri")))));
        }

        private static IEnumerable<XElement> SyntaxItems(HelpPage page)
        {
            List<string> sets = page.Parameters.SelectMany(p => p.ParameterSets).Where(s => s != "(All)").Distinct().ToList();
            if (sets.Count == 0)
            {
                sets.Add("(All)");
            }

            foreach (string set in sets)
            {
                IEnumerable<HelpParameter> parameters = page.Parameters.Where(p => p.ParameterSets.Contains("(All)") || p.ParameterSets.Contains(set) || set == "(All)");
                yield return new XElement(
                    Command + "syntaxItem",
                    new XElement(Maml + "name", page.Name),
                    parameters.OrderBy(p => int.TryParse(p.Position, out int n) ? n : int.MaxValue).ThenBy(p => !p.Required).Select(p => Parameter(p, set)));
            }
        }

        private static XElement Parameter(HelpParameter p, string? set)
        {
            bool isSwitch = p.Type == "SwitchParameter";
            var element = new XElement(
                Command + "parameter",
                new XAttribute("required", p.Required ? "true" : "false"),
                new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
                new XAttribute("globbing", p.Wildcards ? "true" : "false"),
                new XAttribute("pipelineInput", string.IsNullOrEmpty(p.PipelineInput) ? "False" : p.PipelineInput),
                new XAttribute("position", int.TryParse(p.Position, out int position) ? position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named"),
                new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(Maml + "name", p.Name),
                new XElement(Maml + "description", Paragraphs(HelpPage.Prose(p.Description))));
            if (p.AcceptedValues.Count > 0)
            {
                element.Add(new XElement(Command + "parameterValueGroup", p.AcceptedValues.Select(v => new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
            }

            if (!isSwitch || set is null)
            {
                element.Add(new XElement(Command + "parameterValue", new XAttribute("required", isSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), p.Type));
            }

            element.Add(new XElement(Dev + "type", new XElement(Maml + "name", p.Type), new XElement(Maml + "uri")));
            element.Add(new XElement(Dev + "defaultValue", string.IsNullOrEmpty(p.DefaultValue) ? "None" : p.DefaultValue));
            return element;
        }

        private static Func<HelpType, XElement> TypeElement(XName name) => t => new XElement(
            name,
            new XElement(Dev + "type", new XElement(Maml + "name", t.Name), new XElement(Maml + "uri")),
            new XElement(Maml + "description", Paragraphs(HelpPage.Prose(t.Description))));

        private static IEnumerable<XElement> Paragraphs(string text)
            => text.Split(new[] { "\n\n" }, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => new XElement(Maml + "para", string.Join(" ", p.Split('\n').Select(l => l.Trim()))));
    }
}
