/* Are We Fast Yet: Json (the suite's small JSON parser, after minimal-json, reading a fixed
   minified message of the RAP web-UI protocol), C peer of benchmarks/awfy/json.bs.
   Checksum: the suite's check, 1 when the result is an object whose "head" is an object and whose
   "operations" is an array of 156 values (and no parse error occurred). The input is the same
   document as in json.bs (this project's own, of the suite's shape, about 20 KB).
   The parser reads one character at a time (-1 at the end of the text) where the BlueScript
   version takes a one-character substring; captured names, strings and numbers are copied out
   of the text. The tree (about 3300 heap blocks) is freed after each iteration; its peak is
   81 KB of heap on the Cortex-M3 with newlib-nano's malloc. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "Json"

/* the input: the RAP message, minified */
static const char rap_benchmark_minified[] =
    "{\"head\":{\"requestCounter\":4},\"operations\":[[\"destroy\",\"w54\"],[\"destroy\",\"w55\"],[\""
    "destroy\",\"w61\"],[\"destroy\",\"w62\"],[\"set\",\"w2\",{\"activeControl\":\"w99\"}],[\"set\","
    "\"w21\",{\"customVariant\":\"variant_navigation\"}],[\"set\",\"w28\",{\"customVariant\":\"varian"
    "t_selected\"}],[\"set\",\"w53\",{\"children\":[\"w101\"]}],[\"create\",\"w101\",\"rwt.widgets.Co"
    "mposite\",{\"parent\":\"w53\",\"style\":[\"NONE\"],\"bounds\":[0,0,1008,586],\"children\":[\"w10"
    "2\",\"w103\"],\"tabIndex\":-1,\"clientArea\":[0,0,1008,586]}],[\"create\",\"w102\",\"rwt.widgets"
    ".Label\",{\"parent\":\"w101\",\"style\":[\"NONE\"],\"bounds\":[10,30,112,26],\"tabIndex\":-1,\"c"
    "ustomVariant\":\"variant_pageHeadline\",\"text\":\"TableViewer\"}],[\"create\",\"w103\",\"rwt.wi"
    "dgets.Composite\",{\"parent\":\"w101\",\"style\":[\"NONE\"],\"bounds\":[0,61,1008,525],\"tabInde"
    "x\":-1,\"clientArea\":[0,0,1008,525]}],[\"create\",\"w104\",\"rwt.widgets.Grid\",{\"parent\":\"w"
    "103\",\"style\":[\"SINGLE\",\"BORDER\",\"FULL_SELECTION\"],\"appearance\":\"table\",\"indentionW"
    "idth\":0,\"treeColumn\":-1,\"markupEnabled\":false,\"bounds\":[10,10,988,300],\"tabIndex\":4,\"f"
    "ont\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false],\"it"
    "emCount\":42,\"itemHeight\":27,\"itemMetrics\":[[0,0,120,0,0,3,112],[1,120,120,0,0,3,112],[2,240"
    ",120,0,0,3,112],[3,360,120,0,0,3,112],[4,480,120,0,0,3,112],[5,600,120,0,0,3,112],[6,720,120,0,0"
    ",3,112],[7,840,120,0,0,3,112]],\"columnCount\":8,\"headerHeight\":31,\"headerVisible\":true,\"li"
    "nesVisible\":true,\"topItemIndex\":0,\"scrollLeft\":0,\"selection\":[],\"focusItem\":null,\"scro"
    "llBarsVisible\":[false,true],\"opacity\":0.875,\"zoom\":1.25e0,\"scale\":1.2345e+4}],[\"create\""
    ",\"w113\",\"rwt.widgets.ScrollBar\",{\"parent\":\"w104\",\"style\":[\"HORIZONTAL\"],\"visibility"
    "\":false}],[\"create\",\"w114\",\"rwt.widgets.ScrollBar\",{\"parent\":\"w104\",\"style\":[\"VERT"
    "ICAL\"],\"visibility\":true}],[\"create\",\"w105\",\"rwt.widgets.GridColumn\",{\"parent\":\"w104"
    "\",\"text\":\"First name\",\"index\":0,\"left\":0,\"width\":120,\"alignment\":\"right\",\"moveab"
    "le\":true,\"resizable\":true,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sa"
    "ns-serif\"],12,false,false]}],[\"listen\",\"w105\",{\"Selection\":true}],[\"create\",\"w106\",\""
    "rwt.widgets.GridColumn\",{\"parent\":\"w104\",\"text\":\"Last name\",\"index\":1,\"left\":120,\""
    "width\":120,\"alignment\":\"left\",\"moveable\":false,\"resizable\":true,\"font\":[[\"Verdana\","
    "\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w106\",{"
    "\"Selection\":true}],[\"create\",\"w107\",\"rwt.widgets.GridColumn\",{\"parent\":\"w104\",\"text"
    "\":\"Street\",\"index\":2,\"left\":240,\"width\":120,\"alignment\":\"left\",\"moveable\":true,\""
    "resizable\":true,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],"
    "12,false,false]}],[\"listen\",\"w107\",{\"Selection\":true}],[\"create\",\"w108\",\"rwt.widgets."
    "GridColumn\",{\"parent\":\"w104\",\"text\":\"City\",\"index\":3,\"left\":360,\"width\":120,\"ali"
    "gnment\":\"right\",\"moveable\":false,\"resizable\":true,\"font\":[[\"Verdana\",\"Lucida Sans\","
    "\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w108\",{\"Selection\":tr"
    "ue}],[\"create\",\"w109\",\"rwt.widgets.GridColumn\",{\"parent\":\"w104\",\"text\":\"Zip code\","
    "\"index\":4,\"left\":480,\"width\":120,\"alignment\":\"left\",\"moveable\":true,\"resizable\":tr"
    "ue,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false"
    "]}],[\"listen\",\"w109\",{\"Selection\":true}],[\"create\",\"w110\",\"rwt.widgets.GridColumn\",{"
    "\"parent\":\"w104\",\"text\":\"Phone\",\"index\":5,\"left\":600,\"width\":120,\"alignment\":\"le"
    "ft\",\"moveable\":false,\"resizable\":true,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"He"
    "lvetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w110\",{\"Selection\":true}],[\"create"
    "\",\"w111\",\"rwt.widgets.GridColumn\",{\"parent\":\"w104\",\"text\":\"E-mail\",\"index\":6,\"le"
    "ft\":720,\"width\":120,\"alignment\":\"right\",\"moveable\":true,\"resizable\":true,\"font\":[["
    "\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}],[\"listen"
    "\",\"w111\",{\"Selection\":true}],[\"create\",\"w112\",\"rwt.widgets.GridColumn\",{\"parent\":\""
    "w104\",\"text\":\"Say \\\"hello\\\"\",\"index\":7,\"left\":840,\"width\":120,\"alignment\":\"lef"
    "t\",\"moveable\":false,\"resizable\":true,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Hel"
    "vetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w112\",{\"Selection\":true}],[\"listen"
    "\",\"w104\",{\"Selection\":true,\"DefaultSelection\":true,\"SetData\":false}],[\"create\",\"w115"
    "\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":[\"NONE\"],\"bounds\":[10,320,90,22],\"t"
    "abIndex\":-1,\"text\":\"First name:\",\"foreground\":[112,201,222,255]}],[\"create\",\"w116\",\""
    "rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SINGLE\",\"BORDER\"],\"bounds\":[110,320,38"
    "0,22],\"tabIndex\":5,\"text\":\"\",\"message\":\"Enter first name\",\"textLimit\":95,\"backgroun"
    "d\":[255,255,255,255]}],[\"listen\",\"w116\",{\"Modify\":true,\"Verify\":true}],[\"set\",\"w116"
    "\",{\"enabled\":false,\"toolTip\":\"Read only (field 0)\"}],[\"create\",\"w117\",\"rwt.widgets.L"
    "abel\",{\"parent\":\"w103\",\"style\":[\"NONE\"],\"bounds\":[10,346,90,22],\"tabIndex\":-1,\"tex"
    "t\":\"Last name:\",\"foreground\":[60,229,10,255]}],[\"create\",\"w118\",\"rwt.widgets.Text\",{"
    "\"parent\":\"w103\",\"style\":[\"SINGLE\",\"BORDER\"],\"bounds\":[110,346,380,22],\"tabIndex\":6"
    ",\"text\":\"\",\"message\":\"Enter last name\",\"textLimit\":111,\"background\":[255,255,255,255"
    "]}],[\"listen\",\"w118\",{\"Modify\":true,\"Verify\":false}],[\"create\",\"w119\",\"rwt.widgets."
    "Label\",{\"parent\":\"w103\",\"style\":[\"NONE\"],\"bounds\":[10,372,90,22],\"tabIndex\":-1,\"te"
    "xt\":\"Street:\",\"foreground\":[200,193,246,255]}],[\"create\",\"w120\",\"rwt.widgets.Text\",{"
    "\"parent\":\"w103\",\"style\":[\"SINGLE\",\"BORDER\"],\"bounds\":[110,372,380,22],\"tabIndex\":7"
    ",\"text\":\"\",\"message\":\"Enter street\",\"textLimit\":103,\"background\":[255,255,255,255]}]"
    ",[\"listen\",\"w120\",{\"Modify\":true,\"Verify\":false}],[\"create\",\"w121\",\"rwt.widgets.Lab"
    "el\",{\"parent\":\"w103\",\"style\":[\"NONE\"],\"bounds\":[10,398,90,22],\"tabIndex\":-1,\"text"
    "\":\"City:\",\"foreground\":[20,93,162,255]}],[\"create\",\"w122\",\"rwt.widgets.Text\",{\"paren"
    "t\":\"w103\",\"style\":[\"SINGLE\",\"BORDER\"],\"bounds\":[110,398,380,22],\"tabIndex\":8,\"text"
    "\":\"\",\"message\":\"Enter city\",\"textLimit\":87,\"background\":[255,255,255,255]}],[\"listen"
    "\",\"w122\",{\"Modify\":true,\"Verify\":false}],[\"set\",\"w122\",{\"enabled\":false,\"toolTip\""
    ":\"Read only (field 3)\"}],[\"create\",\"w123\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"sty"
    "le\":[\"NONE\"],\"bounds\":[10,424,90,22],\"tabIndex\":-1,\"text\":\"Zip code:\",\"foreground\":"
    "[32,185,14,255]}],[\"create\",\"w124\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SI"
    "NGLE\",\"BORDER\"],\"bounds\":[110,424,380,22],\"tabIndex\":9,\"text\":\"\",\"message\":\"Enter "
    "zip code\",\"textLimit\":131,\"background\":[255,255,255,255]}],[\"listen\",\"w124\",{\"Modify\""
    ":true,\"Verify\":true}],[\"create\",\"w125\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style"
    "\":[\"NONE\"],\"bounds\":[10,450,90,22],\"tabIndex\":-1,\"text\":\"Phone:\",\"foreground\":[236,"
    "213,58,255]}],[\"create\",\"w126\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SINGLE"
    "\",\"BORDER\"],\"bounds\":[110,450,380,22],\"tabIndex\":10,\"text\":\"\",\"message\":\"Enter fir"
    "st name\",\"textLimit\":119,\"background\":[255,255,255,255]}],[\"listen\",\"w126\",{\"Modify\":"
    "true,\"Verify\":false}],[\"create\",\"w127\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style"
    "\":[\"NONE\"],\"bounds\":[10,476,90,22],\"tabIndex\":-1,\"text\":\"E-mail:\",\"foreground\":[120"
    ",177,38,255]}],[\"create\",\"w128\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SINGL"
    "E\",\"BORDER\"],\"bounds\":[110,476,380,22],\"tabIndex\":11,\"text\":\"\",\"message\":\"Enter la"
    "st name\",\"textLimit\":151,\"background\":[255,255,255,255]}],[\"listen\",\"w128\",{\"Modify\":"
    "true,\"Verify\":false}],[\"set\",\"w128\",{\"enabled\":false,\"toolTip\":\"Read only (field 6)\""
    "}],[\"create\",\"w129\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":[\"NONE\"],\"bounds"
    "\":[500,320,90,22],\"tabIndex\":-1,\"text\":\"Say \\\"hello\\\":\",\"foreground\":[196,77,210,25"
    "5]}],[\"create\",\"w130\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SINGLE\",\"BORD"
    "ER\"],\"bounds\":[600,320,380,22],\"tabIndex\":12,\"text\":\"\",\"message\":\"Enter street\",\"t"
    "extLimit\":79,\"background\":[255,255,255,255]}],[\"listen\",\"w130\",{\"Modify\":true,\"Verify"
    "\":false}],[\"create\",\"w131\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":[\"NONE\"],"
    "\"bounds\":[500,346,90,22],\"tabIndex\":-1,\"text\":\"Line one\\nLine two:\",\"foreground\":[208"
    ",169,62,255]}],[\"create\",\"w132\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SINGL"
    "E\",\"BORDER\"],\"bounds\":[600,346,380,22],\"tabIndex\":13,\"text\":\"\",\"message\":\"Enter ci"
    "ty\",\"textLimit\":71,\"background\":[255,255,255,255]}],[\"listen\",\"w132\",{\"Modify\":true,"
    "\"Verify\":true}],[\"create\",\"w133\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":[\"N"
    "ONE\"],\"bounds\":[500,372,90,22],\"tabIndex\":-1,\"text\":\"C:\\\\data\\\\people.csv:\",\"foreg"
    "round\":[156,197,106,255]}],[\"create\",\"w134\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"sty"
    "le\":[\"SINGLE\",\"BORDER\"],\"bounds\":[600,372,380,22],\"tabIndex\":14,\"text\":\"\",\"message"
    "\":\"Enter zip code\",\"textLimit\":147,\"background\":[255,255,255,255]}],[\"listen\",\"w134\","
    "{\"Modify\":true,\"Verify\":false}],[\"set\",\"w134\",{\"enabled\":false,\"toolTip\":\"Read only"
    " (field 9)\"}],[\"create\",\"w135\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":[\"NONE"
    "\"],\"bounds\":[500,398,90,22],\"tabIndex\":-1,\"text\":\"http:\\/\\/example.org/a:\",\"foregrou"
    "nd\":[40,161,86,255]}],[\"create\",\"w136\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":"
    "[\"SINGLE\",\"BORDER\"],\"bounds\":[600,398,380,22],\"tabIndex\":15,\"text\":\"\",\"message\":\""
    "Enter first name\",\"textLimit\":135,\"background\":[255,255,255,255]}],[\"listen\",\"w136\",{\""
    "Modify\":true,\"Verify\":false}],[\"create\",\"w137\",\"rwt.widgets.Label\",{\"parent\":\"w103\""
    ",\"style\":[\"NONE\"],\"bounds\":[500,424,90,22],\"tabIndex\":-1,\"text\":\"Tab\\there:\",\"fore"
    "ground\":[116,61,2,255]}],[\"create\",\"w138\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style"
    "\":[\"SINGLE\",\"BORDER\"],\"bounds\":[600,424,380,22],\"tabIndex\":16,\"text\":\"\",\"message\""
    ":\"Enter last name\",\"textLimit\":159,\"background\":[255,255,255,255]}],[\"listen\",\"w138\",{"
    "\"Modify\":true,\"Verify\":false}],[\"create\",\"w139\",\"rwt.widgets.Label\",{\"parent\":\"w103"
    "\",\"style\":[\"NONE\"],\"bounds\":[500,450,90,22],\"tabIndex\":-1,\"text\":\"Cafe \\b\\r\\f:\","
    "\"foreground\":[128,153,110,255]}],[\"create\",\"w140\",\"rwt.widgets.Text\",{\"parent\":\"w103"
    "\",\"style\":[\"SINGLE\",\"BORDER\"],\"bounds\":[600,450,380,22],\"tabIndex\":17,\"text\":\"\","
    "\"message\":\"Enter street\",\"textLimit\":151,\"background\":[255,255,255,255]}],[\"listen\",\""
    "w140\",{\"Modify\":true,\"Verify\":true}],[\"set\",\"w140\",{\"enabled\":false,\"toolTip\":\"Rea"
    "d only (field 12)\"}],[\"create\",\"w141\",\"rwt.widgets.Label\",{\"parent\":\"w103\",\"style\":"
    "[\"NONE\"],\"bounds\":[500,476,90,22],\"tabIndex\":-1,\"text\":\"First name:\",\"foreground\":[7"
    "6,181,154,255]}],[\"create\",\"w142\",\"rwt.widgets.Text\",{\"parent\":\"w103\",\"style\":[\"SIN"
    "GLE\",\"BORDER\"],\"bounds\":[600,476,380,22],\"tabIndex\":18,\"text\":\"\",\"message\":\"Enter "
    "city\",\"textLimit\":95,\"background\":[255,255,255,255]}],[\"listen\",\"w142\",{\"Modify\":true"
    ",\"Verify\":false}],[\"create\",\"w143\",\"rwt.widgets.Button\",{\"parent\":\"w103\",\"style\":["
    "\"PUSH\"],\"bounds\":[10,500,100,28],\"tabIndex\":20,\"text\":\"Add\",\"image\":[\"rwt-resources"
    "/generated/71d85391.png\",16,16],\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\","
    "\"sans-serif\"],12,false,false]}],[\"listen\",\"w143\",{\"Selection\":true}],[\"create\",\"w144"
    "\",\"rwt.widgets.Button\",{\"parent\":\"w103\",\"style\":[\"PUSH\"],\"bounds\":[120,500,100,28],"
    "\"tabIndex\":21,\"text\":\"Remove\",\"image\":[\"rwt-resources/generated/82869d47.png\",16,16],"
    "\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}]"
    ",[\"listen\",\"w144\",{\"Selection\":true}],[\"create\",\"w145\",\"rwt.widgets.Button\",{\"paren"
    "t\":\"w103\",\"style\":[\"PUSH\"],\"bounds\":[230,500,100,28],\"tabIndex\":22,\"text\":\"Edit\","
    "\"image\":[\"rwt-resources/generated/6a24f02d.png\",16,16],\"font\":[[\"Verdana\",\"Lucida Sans"
    "\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w145\",{\"Selection\""
    ":true}],[\"create\",\"w146\",\"rwt.widgets.Button\",{\"parent\":\"w103\",\"style\":[\"PUSH\"],\""
    "bounds\":[340,500,100,28],\"tabIndex\":23,\"text\":\"Up\",\"image\":[\"rwt-resources/generated/4"
    "c32d1c3.png\",16,16],\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica\",\"sans-serif"
    "\"],12,false,false]}],[\"listen\",\"w146\",{\"Selection\":true}],[\"create\",\"w147\",\"rwt.widg"
    "ets.Button\",{\"parent\":\"w103\",\"style\":[\"PUSH\"],\"bounds\":[450,500,100,28],\"tabIndex\":"
    "24,\"text\":\"Down\",\"image\":null,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Arial\",\"Helvetica"
    "\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w147\",{\"Selection\":true}],[\"create\",\"w1"
    "48\",\"rwt.widgets.Button\",{\"parent\":\"w103\",\"style\":[\"PUSH\"],\"bounds\":[560,500,100,28"
    "],\"tabIndex\":25,\"text\":\"Save\",\"image\":null,\"font\":[[\"Verdana\",\"Lucida Sans\",\"Aria"
    "l\",\"Helvetica\",\"sans-serif\"],14,true,false]}],[\"listen\",\"w148\",{\"Selection\":true}],["
    "\"create\",\"w149\",\"rwt.widgets.Button\",{\"parent\":\"w103\",\"style\":[\"PUSH\"],\"bounds\":"
    "[670,500,100,28],\"tabIndex\":26,\"text\":\"Cancel\",\"image\":null,\"font\":[[\"Verdana\",\"Luc"
    "ida Sans\",\"Arial\",\"Helvetica\",\"sans-serif\"],12,false,false]}],[\"listen\",\"w149\",{\"Sel"
    "ection\":true}],[\"create\",\"w150\",\"rwt.widgets.ToolBar\",{\"parent\":\"w101\",\"style\":[\"F"
    "LAT\",\"HORIZONTAL\"],\"bounds\":[700,20,300,32],\"tabIndex\":2,\"background\":[244,244,244,255]"
    "}],[\"create\",\"w151\",\"rwt.widgets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"SEPARATOR\"],"
    "\"bounds\":[0,0,32,32],\"index\":0,\"toolTip\":\"Tool 1\",\"image\":[\"rwt-resources/generated/t"
    "ool0.gif\",24,24],\"enabled\":true}],[\"create\",\"w152\",\"rwt.widgets.ToolItem\",{\"parent\":"
    "\"w150\",\"style\":[\"PUSH\"],\"bounds\":[32,0,32,32],\"index\":1,\"toolTip\":\"Tool 2\",\"image"
    "\":[\"rwt-resources/generated/tool1.gif\",24,24],\"enabled\":true}],[\"listen\",\"w152\",{\"Sele"
    "ction\":true}],[\"create\",\"w153\",\"rwt.widgets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"P"
    "USH\"],\"bounds\":[64,0,32,32],\"index\":2,\"toolTip\":\"Tool 3\",\"image\":[\"rwt-resources/gen"
    "erated/tool2.gif\",24,24],\"enabled\":true}],[\"listen\",\"w153\",{\"Selection\":true}],[\"creat"
    "e\",\"w154\",\"rwt.widgets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"PUSH\"],\"bounds\":[96,0"
    ",32,32],\"index\":3,\"toolTip\":\"Tool 4\",\"image\":[\"rwt-resources/generated/tool3.gif\",24,2"
    "4],\"enabled\":true}],[\"listen\",\"w154\",{\"Selection\":true}],[\"create\",\"w155\",\"rwt.widg"
    "ets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"SEPARATOR\"],\"bounds\":[128,0,32,32],\"index\""
    ":4,\"toolTip\":\"Tool 5\",\"image\":[\"rwt-resources/generated/tool4.gif\",24,24],\"enabled\":tr"
    "ue}],[\"create\",\"w156\",\"rwt.widgets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"PUSH\"],\"b"
    "ounds\":[160,0,32,32],\"index\":5,\"toolTip\":\"Tool 6\",\"image\":[\"rwt-resources/generated/to"
    "ol5.gif\",24,24],\"enabled\":true}],[\"listen\",\"w156\",{\"Selection\":true}],[\"create\",\"w15"
    "7\",\"rwt.widgets.ToolItem\",{\"parent\":\"w150\",\"style\":[\"PUSH\"],\"bounds\":[192,0,32,32],"
    "\"index\":6,\"toolTip\":\"Tool 7\",\"image\":[\"rwt-resources/generated/tool6.gif\",24,24],\"ena"
    "bled\":false}],[\"listen\",\"w157\",{\"Selection\":true}],[\"create\",\"w158\",\"rwt.widgets.Too"
    "lItem\",{\"parent\":\"w150\",\"style\":[\"PUSH\"],\"bounds\":[224,0,32,32],\"index\":7,\"toolTip"
    "\":\"Tool 8\",\"image\":[\"rwt-resources/generated/tool7.gif\",24,24],\"enabled\":true}],[\"list"
    "en\",\"w158\",{\"Selection\":true}],[\"create\",\"w159\",\"rwt.widgets.ToolItem\",{\"parent\":\""
    "w150\",\"style\":[\"SEPARATOR\"],\"bounds\":[256,0,32,32],\"index\":8,\"toolTip\":\"Tool 9\",\"i"
    "mage\":[\"rwt-resources/generated/tool8.gif\",24,24],\"enabled\":true}],[\"create\",\"w160\",\"r"
    "wt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":0,\"texts\":[\"Person 0\",\"First name\",\""
    "858 Main St.\",\"Town 3\",\"65710\",\"+1-555-2207\",\"p0@example.org\",\"\"],\"cellBackgrounds\""
    ":[null,[252,165,202,255],null,null,null,null,null,null],\"height\":27,\"checked\":true,\"grayed"
    "\":false}],[\"create\",\"w161\",\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":1,\"text"
    "s\":[\"Person 1\",\"Last name\",\"781 Main St.\",\"Town 8\",\"17809\",\"+1-555-2214\",\"p1@examp"
    "le.org\",\"\"],\"cellBackgrounds\":[null,[183,212,29,255],null,null,null,null,null,null],\"heigh"
    "t\":27,\"checked\":false,\"grayed\":false}],[\"create\",\"w162\",\"rwt.widgets.GridItem\",{\"par"
    "ent\":\"w104\",\"index\":2,\"texts\":[\"Person 2\",\"Street\",\"788 Main St.\",\"Town 5\",\"6987"
    "2\",\"+1-555-5241\",\"p2@example.org\",\"\"],\"cellBackgrounds\":[null,[206,111,172,255],null,nu"
    "ll,null,null,null,null],\"height\":27,\"checked\":false,\"grayed\":false}],[\"create\",\"w163\","
    "\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":3,\"texts\":[\"Person 3\",\"City\",\"383"
    " Main St.\",\"Town 20\",\"62331\",\"+1-555-0008\",\"p3@example.org\",\"\"],\"cellBackgrounds\":["
    "null,[113,230,39,255],null,null,null,null,null,null],\"height\":27,\"checked\":false,\"grayed\":"
    "false}],[\"create\",\"w164\",\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":4,\"texts\""
    ":[\"Person 4\",\"Zip code\",\"534 Main St.\",\"Town 1\",\"47010\",\"+1-555-8835\",\"p4@example.o"
    "rg\",\"\"],\"cellBackgrounds\":[null,[144,105,254,255],null,null,null,null,null,null],\"height\""
    ":27,\"checked\":false,\"grayed\":false}],[\"create\",\"w165\",\"rwt.widgets.GridItem\",{\"parent"
    "\":\"w104\",\"index\":5,\"texts\":[\"Person 5\",\"Phone\",\"869 Main St.\",\"Town 20\",\"21653\""
    ",\"+1-555-3274\",\"p5@example.org\",\"\"],\"cellBackgrounds\":[null,[219,232,97,255],null,null,n"
    "ull,null,null,null],\"height\":27,\"checked\":true,\"grayed\":false}],[\"create\",\"w166\",\"rwt"
    ".widgets.GridItem\",{\"parent\":\"w104\",\"index\":6,\"texts\":[\"Person 6\",\"E-mail\",\"256 Ma"
    "in St.\",\"Town 49\",\"40260\",\"+1-555-0445\",\"p6@example.org\",\"\"],\"cellBackgrounds\":[nul"
    "l,[194,19,64,255],null,null,null,null,null,null],\"height\":27,\"checked\":false,\"grayed\":fals"
    "e}],[\"create\",\"w167\",\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":7,\"texts\":[\""
    "Person 7\",\"Say \\\"hello\\\"\",\"455 Main St.\",\"Town 30\",\"23391\",\"+1-555-4556\",\"p7@exa"
    "mple.org\",\"\"],\"cellBackgrounds\":[null,[117,90,75,255],null,null,null,null,null,null],\"heig"
    "ht\":27,\"checked\":false,\"grayed\":false}],[\"create\",\"w168\",\"rwt.widgets.GridItem\",{\"pa"
    "rent\":\"w104\",\"index\":8,\"texts\":[\"Person 8\",\"Line one\\nLine two\",\"154 Main St.\",\"T"
    "own 41\",\"18006\",\"+1-555-7943\",\"p8@example.org\",\"\"],\"cellBackgrounds\":[null,[228,237,2"
    "42,255],null,null,null,null,null,null],\"height\":27,\"checked\":false,\"grayed\":false}],[\"cre"
    "ate\",\"w169\",\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":9,\"texts\":[\"Person 9\""
    ",\"C:\\\\data\\\\people.csv\",\"69 Main St.\",\"Town 16\",\"67161\",\"+1-555-1022\",\"p9@example"
    ".org\",\"\"],\"cellBackgrounds\":[null,[191,188,101,255],null,null,null,null,null,null],\"height"
    "\":27,\"checked\":false,\"grayed\":false}],[\"create\",\"w170\",\"rwt.widgets.GridItem\",{\"pare"
    "nt\":\"w104\",\"index\":10,\"texts\":[\"Person 10\",\"http:\\/\\/example.org/a\",\"232 Main St."
    "\",\"Town 25\",\"13144\",\"+1-555-0577\",\"p10@example.org\",\"\"],\"cellBackgrounds\":[null,[11"
    "8,119,148,255],null,null,null,null,null,null],\"height\":27,\"checked\":true,\"grayed\":false}],"
    "[\"create\",\"w171\",\"rwt.widgets.GridItem\",{\"parent\":\"w104\",\"index\":11,\"texts\":[\"Per"
    "son 11\",\"Tab\\there\",\"51 Main St.\",\"Town 44\",\"65539\",\"+1-555-4976\",\"p11@example.org"
    "\",\"\"],\"cellBackgrounds\":[null,[57,142,47,255],null,null,null,null,null,null],\"height\":27,"
    "\"checked\":false,\"grayed\":false}],[\"call\",\"w104\",\"setFocus\",{}],[\"call\",\"w104\",\"sc"
    "rollTo\",{\"top\":0,\"left\":-0.5,\"animate\":false,\"duration\":2.5E-1}],[\"set\",\"w104\",{\"s"
    "election\":[\"w105\"],\"focusItem\":\"w105\",\"topItemIndex\":0}],[\"call\",\"w1\",\"setTitle\","
    "{\"text\":\"Demo - TableViewer\"}],[\"set\",\"w1\",{\"cursor\":null,\"mode\":\"maximized\",\"min"
    "imumSize\":[800,600],\"activeShell\":true}],[\"set\",\"w150\",{\"visibility\":true,\"bounds\":[2"
    "09,238,133,26]}],[\"set\",\"w138\",{\"visibility\":true,\"bounds\":[694,483,118,23]}],[\"set\","
    "\"w120\",{\"visibility\":true,\"bounds\":[671,404,123,24]}],[\"set\",\"w171\",{\"visibility\":tr"
    "ue,\"bounds\":[304,309,20,37]}],[\"set\",\"w171\",{\"visibility\":true,\"bounds\":[645,350,153,3"
    "0]}],[\"set\",\"w149\",{\"visibility\":true,\"bounds\":[290,127,10,19]}],[\"set\",\"w111\",{\"vi"
    "sibility\":true,\"bounds\":[147,212,199,20]}],[\"set\",\"w107\",{\"visibility\":true,\"bounds\":"
    "[824,5,160,25]}],[\"set\",\"w129\",{\"visibility\":true,\"bounds\":[505,446,181,10]}],[\"set\","
    "\"w150\",{\"visibility\":true,\"bounds\":[450,7,14,15]}],[\"set\",\"w125\",{\"visibility\":true,"
    "\"bounds\":[831,332,107,48]}],[\"set\",\"w145\",{\"visibility\":true,\"bounds\":[780,465,36,13]}"
    "],[\"set\",\"w119\",{\"visibility\":true,\"bounds\":[549,122,81,30]}],[\"set\",\"w123\",{\"visib"
    "ility\":true,\"bounds\":[222,467,50,35]}],[\"set\",\"w125\",{\"visibility\":true,\"bounds\":[855"
    ",8,183,20]}],[\"set\",\"w104\",{\"visibility\":true,\"bounds\":[396,377,80,25]}],[\"set\",\"w105"
    "\",{\"visibility\":true,\"bounds\":[781,198,133,18]}],[\"set\",\"w144\",{\"visibility\":true,\"b"
    "ounds\":[106,3,62,23]}],[\"set\",\"w162\",{\"visibility\":true,\"bounds\":[867,64,179,24]}],[\"s"
    "et\",\"w166\",{\"visibility\":true,\"bounds\":[284,81,12,45]}],[\"set\",\"w148\",{\"visibility\""
    ":true,\"bounds\":[285,110,33,22]}],[\"set\",\"w155\",{\"visibility\":true,\"bounds\":[90,299,10,"
    "35]}],[\"set\",\"w159\",{\"visibility\":true,\"bounds\":[431,48,207,28]}],[\"set\",\"w116\",{\"v"
    "isibility\":true,\"bounds\":[300,497,32,25]}],[\"set\",\"w116\",{\"visibility\":true,\"bounds\":"
    "[5,374,29,18]}],[\"set\",\"w127\",{\"visibility\":true,\"bounds\":[470,83,70,23]}],[\"set\",\"w1"
    "33\",{\"visibility\":true,\"bounds\":[891,480,51,48]}],[\"set\",\"w102\",{\"visibility\":true,\""
    "bounds\":[524,233,28,37]}],[\"set\",\"w169\",{\"visibility\":true,\"bounds\":[293,122,185,22]}],"
    "[\"set\",\"w113\",{\"visibility\":true,\"bounds\":[702,271,170,11]}],[\"set\",\"w112\",{\"visibi"
    "lity\":true,\"bounds\":[215,140,183,36]}]]}";

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) abort();
    return p;
}

static void *xrealloc(void *old, size_t n) {
    void *p = realloc(old, n);
    if (p == NULL) abort();
    return p;
}

/* the suite throws on a parse error or a wrong conversion; record it instead */
static bool json_error;

enum { J_NULL, J_TRUE, J_FALSE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct {
    int kind;
} JsonValue;

typedef struct { /* J_NUMBER (its text) and J_STRING, the text stored inline */
    JsonValue base;
    char text[];
} JsonText;

typedef struct {
    JsonValue base;
    JsonValue **values;
    int size, cap;
} JsonArray;

/* Maps a name to its index in a JsonObject (index + 1 in a byte, 0 = empty); a miss falls back
   to a linear search. The hash of a name is its length times 1402589, a portable string hash. */
typedef struct {
    uint8_t hash_table[32];
} HashIndexTable;

typedef struct {
    char *name;
    JsonValue *value;
} JsonMember;

typedef struct { /* the suite's names and values, kept as pairs in one array */
    JsonValue base;
    JsonMember *members;
    int size, cap;
    HashIndexTable table;
} JsonObject;

static JsonValue json_null = { J_NULL };
static JsonValue json_true = { J_TRUE };
static JsonValue json_false = { J_FALSE };

static bool is_object(const JsonValue *v) { return v->kind == J_OBJECT; }
static bool is_array(const JsonValue *v) { return v->kind == J_ARRAY; }

static JsonObject empty_object = { { J_OBJECT }, NULL, 0, 0, { { 0 } } };
static JsonArray empty_array = { { J_ARRAY }, NULL, 0, 0 };

static JsonObject *as_object(JsonValue *v) {
    if (!is_object(v)) {
        json_error = true; /* the suite throws: not an object */
        return &empty_object;
    }
    return (JsonObject *)v;
}

static JsonArray *as_array(JsonValue *v) {
    if (!is_array(v)) {
        json_error = true; /* the suite throws: not an array */
        return &empty_array;
    }
    return (JsonArray *)v;
}

/* the captured text comes in a block with room for the JsonText before it */
static JsonValue *new_text(int kind, char *block) {
    JsonText *t = (JsonText *)(void *)block;
    t->base.kind = kind;
    return &t->base;
}

static JsonArray *new_array(void) {
    JsonArray *a = xmalloc(sizeof *a);
    a->base.kind = J_ARRAY;
    a->values = NULL;
    a->size = a->cap = 0;
    return a;
}

static void array_add(JsonArray *a, JsonValue *value) {
    if (a->size == a->cap) {
        a->cap = a->cap == 0 ? 4 : a->cap * 2;
        a->values = xrealloc(a->values, (size_t)a->cap * sizeof *a->values);
    }
    a->values[a->size++] = value;
}

static int string_hash(const char *s) { return (int)((uint32_t)strlen(s) * 1402589u); }

static int hash_slot_for(const HashIndexTable *t, const char *element) {
    return string_hash(element) & ((int)sizeof t->hash_table - 1);
}

static void table_add(HashIndexTable *t, const char *name, int index) {
    int slot = hash_slot_for(t, name);
    if (index < 0xff) t->hash_table[slot] = (uint8_t)((index + 1) & 0xff);
    else t->hash_table[slot] = 0;
}

static int table_get(const HashIndexTable *t, const char *name) {
    int slot = hash_slot_for(t, name);
    return (t->hash_table[slot] & 0xff) - 1;
}

static JsonObject *new_object(void) {
    JsonObject *o = xmalloc(sizeof *o);
    o->base.kind = J_OBJECT;
    o->members = NULL;
    o->size = o->cap = 0;
    memset(o->table.hash_table, 0, sizeof o->table.hash_table);
    return o;
}

static void object_add(JsonObject *o, char *name, JsonValue *value) {
    table_add(&o->table, name, o->size);
    if (o->size == o->cap) {
        o->cap = o->cap == 0 ? 4 : o->cap * 2;
        o->members = xrealloc(o->members, (size_t)o->cap * sizeof *o->members);
    }
    o->members[o->size].name = name;
    o->members[o->size].value = value;
    o->size++;
}

static int object_index_of(const JsonObject *o, const char *name) {
    int index = table_get(&o->table, name);
    if (index != -1 && strcmp(name, o->members[index].name) == 0) return index;
    for (int i = o->size - 1; i >= 0; i--) { /* names.lastIndexOf(name) */
        if (strcmp(o->members[i].name, name) == 0) return i;
    }
    return -1;
}

static JsonValue *object_get(const JsonObject *o, const char *name) {
    int index = object_index_of(o, name);
    return index == -1 ? NULL : o->members[index].value;
}

static void free_value(JsonValue *v) {
    switch (v->kind) {
    case J_NUMBER:
    case J_STRING:
        free(v);
        break;
    case J_ARRAY: {
        JsonArray *a = (JsonArray *)v;
        for (int i = 0; i < a->size; i++) free_value(a->values[i]);
        free(a->values);
        free(a);
        break;
    }
    case J_OBJECT: {
        JsonObject *o = (JsonObject *)v;
        for (int i = 0; i < o->size; i++) {
            free(o->members[i].name);
            free_value(o->members[i].value);
        }
        free(o->members);
        free(o);
        break;
    }
    default: /* the literals are shared */
        break;
    }
}

/* ---- the parser ---- */

typedef struct {
    const char *input;
    int length;
    int index;
    int line;
    int column;
    int current; /* the current character, -1 at the end of the text */
    char *capture_buffer; /* "" while capture_length is 0 */
    int capture_length, capture_cap;
    int capture_start;
} Parser;

static JsonValue *read_value(Parser *p);

static void parse_error(void) { json_error = true; }

static void read_next(Parser *p) {
    if (p->current == '\n') {
        p->line++;
        p->column = 0;
    }
    p->index++;
    if (p->index < p->length) p->current = (unsigned char)p->input[p->index];
    else p->current = -1;
}

static bool is_end_of_text(const Parser *p) { return p->current == -1; }

static bool is_white_space(const Parser *p) {
    int c = p->current;
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(const Parser *p) {
    int c = p->current;
    return c == '0' || c == '1' || c == '2' || c == '3' || c == '4' || c == '5' || c == '6' ||
           c == '7' || c == '8' || c == '9';
}

static bool read_char(Parser *p, int ch) {
    if (p->current != ch) return false;
    read_next(p);
    return true;
}

static bool read_digit(Parser *p) {
    if (!is_digit(p)) return false;
    read_next(p);
    return true;
}

static void skip_white_space(Parser *p) {
    while (is_white_space(p)) read_next(p);
}

static void read_required_char(Parser *p, int ch) {
    if (!read_char(p, ch)) parse_error(); /* expected ch */
}

static void capture_append(Parser *p, const char *text, int n) {
    if (p->capture_length + n + 1 > p->capture_cap) {
        int cap = p->capture_cap == 0 ? 32 : p->capture_cap;
        while (p->capture_length + n + 1 > cap) cap *= 2;
        char *buffer = xmalloc((size_t)cap);
        if (p->capture_length > 0) memcpy(buffer, p->capture_buffer, (size_t)p->capture_length);
        free(p->capture_buffer);
        p->capture_buffer = buffer;
        p->capture_cap = cap;
    }
    memcpy(p->capture_buffer + p->capture_length, text, (size_t)n);
    p->capture_length += n;
}

/* a block of `prefix` free bytes followed by the text and a NUL */
static char *copy_text(size_t prefix, const char *text, int n) {
    char *block = xmalloc(prefix + (size_t)n + 1);
    memcpy(block + prefix, text, (size_t)n);
    block[prefix + (size_t)n] = '\0';
    return block;
}

static void start_capture(Parser *p) { p->capture_start = p->index; }

/* the end of the captured text: the character before the current one, or the last one */
static int capture_end(const Parser *p) { return p->current == -1 ? p->length - 1 : p->index - 1; }

static void pause_capture(Parser *p) {
    int end = capture_end(p);
    capture_append(p, p->input + p->capture_start, end + 1 - p->capture_start);
    p->capture_start = -1;
}

/* the captured text, after `prefix` free bytes (see copy_text) */
static char *end_capture(Parser *p, size_t prefix) {
    int end = capture_end(p);
    char *captured;
    if (p->capture_length == 0) {
        captured = copy_text(prefix, p->input + p->capture_start, end + 1 - p->capture_start);
    } else {
        capture_append(p, p->input + p->capture_start, end + 1 - p->capture_start);
        captured = copy_text(prefix, p->capture_buffer, p->capture_length);
        p->capture_length = 0;
    }
    p->capture_start = -1;
    return captured;
}

static void read_escape(Parser *p) {
    read_next(p);
    char c;
    switch (p->current) {
    case '"':
    case '/':
    case '\\': c = (char)p->current; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    default:
        parse_error(); /* expected a valid escape sequence */
        read_next(p);
        return;
    }
    capture_append(p, &c, 1);
    read_next(p);
}

static char *read_string_internal(Parser *p, size_t prefix) {
    read_next(p);
    start_capture(p);
    while (p->current != '"') {
        if (p->current == '\\') {
            pause_capture(p);
            read_escape(p);
            start_capture(p);
        } else {
            if (is_end_of_text(p)) { /* unterminated string */
                parse_error();
                break;
            }
            read_next(p);
        }
    }
    char *s = end_capture(p, prefix);
    read_next(p);
    return s;
}

static char *read_name(Parser *p) {
    if (p->current != '"') parse_error(); /* expected a name */
    return read_string_internal(p, 0);
}

static JsonValue *read_null(Parser *p) {
    read_next(p);
    read_required_char(p, 'u');
    read_required_char(p, 'l');
    read_required_char(p, 'l');
    return &json_null;
}

static JsonValue *read_true(Parser *p) {
    read_next(p);
    read_required_char(p, 'r');
    read_required_char(p, 'u');
    read_required_char(p, 'e');
    return &json_true;
}

static JsonValue *read_false(Parser *p) {
    read_next(p);
    read_required_char(p, 'a');
    read_required_char(p, 'l');
    read_required_char(p, 's');
    read_required_char(p, 'e');
    return &json_false;
}

static JsonValue *read_string(Parser *p) {
    return new_text(J_STRING, read_string_internal(p, sizeof(JsonText)));
}

static bool read_fraction(Parser *p) {
    if (!read_char(p, '.')) return false;
    if (!read_digit(p)) parse_error(); /* expected a digit */
    while (read_digit(p)) {}
    return true;
}

static bool read_exponent(Parser *p) {
    if (!read_char(p, 'e') && !read_char(p, 'E')) return false;
    if (!read_char(p, '+')) read_char(p, '-');
    if (!read_digit(p)) parse_error(); /* expected a digit */
    while (read_digit(p)) {}
    return true;
}

static JsonValue *read_number(Parser *p) {
    start_capture(p);
    read_char(p, '-');
    int first_digit = p->current;
    if (!read_digit(p)) parse_error(); /* expected a digit */
    if (first_digit != '0') {
        while (read_digit(p)) {}
    }
    read_fraction(p);
    read_exponent(p);
    return new_text(J_NUMBER, end_capture(p, sizeof(JsonText)));
}

static JsonValue *read_array(Parser *p) {
    read_next(p);
    JsonArray *array = new_array();
    skip_white_space(p);
    if (read_char(p, ']')) return &array->base;
    do {
        skip_white_space(p);
        array_add(array, read_value(p));
        skip_white_space(p);
    } while (read_char(p, ','));
    if (!read_char(p, ']')) parse_error(); /* expected ',' or ']' */
    return &array->base;
}

static JsonValue *read_object(Parser *p) {
    read_next(p);
    JsonObject *object = new_object();
    skip_white_space(p);
    if (read_char(p, '}')) return &object->base;
    do {
        skip_white_space(p);
        char *name = read_name(p);
        skip_white_space(p);
        if (!read_char(p, ':')) parse_error(); /* expected ':' */
        skip_white_space(p);
        object_add(object, name, read_value(p));
        skip_white_space(p);
    } while (read_char(p, ','));
    if (!read_char(p, '}')) parse_error(); /* expected ',' or '}' */
    return &object->base;
}

static JsonValue *read_value(Parser *p) {
    switch (p->current) {
    case 'n': return read_null(p);
    case 't': return read_true(p);
    case 'f': return read_false(p);
    case '"': return read_string(p);
    case '[': return read_array(p);
    case '{': return read_object(p);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return read_number(p);
    default:
        parse_error(); /* expected a value */
        return &json_null;
    }
}

static JsonValue *parse(const char *input, int length) {
    Parser p;
    p.input = input;
    p.length = length;
    p.index = -1;
    p.line = 1;
    p.capture_start = -1;
    p.column = 0;
    p.current = 0;
    p.capture_buffer = NULL;
    p.capture_length = p.capture_cap = 0;
    read_next(&p);
    skip_white_space(&p);
    JsonValue *result = read_value(&p);
    skip_white_space(&p);
    if (!is_end_of_text(&p)) parse_error(); /* unexpected character */
    free(p.capture_buffer);
    return result;
}

static bool check_result(JsonValue *result) {
    if (!is_object(result)) return false;
    JsonValue *head = object_get(as_object(result), "head");
    if (head == NULL) return false; /* the suite's get returns null here, and null.isObject() throws */
    if (!is_object(head)) return false;
    JsonValue *operations = object_get(as_object(result), "operations");
    if (operations == NULL) return false;
    if (!is_array(operations)) return false;
    return as_array(operations)->size == 156;
}

int benchmark(void) {
    json_error = false;
    JsonValue *result = parse(rap_benchmark_minified, (int)sizeof rap_benchmark_minified - 1);
    bool ok = check_result(result);
    free_value(result);
    return ok && !json_error ? 1 : 0;
}

int verify_result(int result) { return result == 1; }

#include "harness.h"
